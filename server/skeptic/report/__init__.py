"""Reports for the command line: outline, and critique as text, JSON and SARIF."""
