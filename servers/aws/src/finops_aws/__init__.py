"""finops-aws: the MCP server for AWS costs, inventory, savings recommendations and remediation."""
