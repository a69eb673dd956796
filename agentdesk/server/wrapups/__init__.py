"""After-call work: wrap-up sessions, their records and the
post-call survey results, on the desk service's side."""
