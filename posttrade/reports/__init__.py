"""Custom reports: a YAML definition over a mart becomes checked, parameterised SQL."""
