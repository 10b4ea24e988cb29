"""Prompt templates parse, declare every placeholder, and refuse bad arguments."""

from __future__ import annotations

import pytest
from finops_prompts import load_templates
from finops_prompts.templates_io import ARGUMENT_CHARS, parse_template


def test_every_shipped_template_parses_and_renders_with_its_defaults() -> None:
    templates = load_templates()
    assert templates
    for template in templates:
        assert template.description
        assert template.title
        assert "{" not in template.render({})


def test_a_required_argument_must_be_given() -> None:
    template = parse_template(
        '+++\nname="t"\ntitle="T"\ndescription="d"\n[[arguments]]\nname="x"\n'
        'description="the x"\nrequired=true\n+++\nx is {x}',
        "t.md",
    )
    with pytest.raises(ValueError, match="required"):
        template.render({})
    assert template.render({"x": "1"}) == "x is 1\n"


def test_an_undeclared_placeholder_is_caught_when_loading() -> None:
    with pytest.raises(ValueError, match="not declared"):
        parse_template('+++\nname="t"\ntitle="T"\ndescription="d"\n+++\nhello {who}', "t.md")


def test_unknown_arguments_are_refused() -> None:
    (template, *_) = load_templates()
    with pytest.raises(ValueError, match="Unknown argument"):
        template.render({"nope": "1"})


def test_many_unknown_arguments_are_named_a_few_at_a_time_and_the_allowed_ones_listed() -> None:
    template = next(t for t in load_templates() if t.name == "investigate-spike")
    with pytest.raises(ValueError, match="Unknown argument") as raised:
        template.render({f"{'x' * 100_000}{i}": "1" for i in range(1_000)})
    message = str(raised.value)
    assert message.endswith("and 995 more: the prompt investigate-spike takes only days.")
    assert len(message) < 400


def test_an_argument_value_longer_than_the_bound_is_refused_before_rendering() -> None:
    template = next(t for t in load_templates() if t.name == "investigate-spike")
    with pytest.raises(ValueError, match=f"Argument 'days' is 1,000,000 characters; send at most {ARGUMENT_CHARS}"):
        template.render({"days": "9" * 1_000_000})
    assert "9" * ARGUMENT_CHARS in template.render({"days": "9" * ARGUMENT_CHARS})
