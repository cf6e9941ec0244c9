"""The agent: the loop, its typed steps, prompts, reply schema and parsing, human control and budgets."""
