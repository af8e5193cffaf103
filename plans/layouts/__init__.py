"""One module per layout a plan is written in (domain.md section 2), and what they share."""
