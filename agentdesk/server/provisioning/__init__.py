"""Zero-touch provisioning, the desk service's side: one-time enrollments
that hand a desktop its whole configuration, and the settings an
administrator gives desktops (agentdesk/contract/provisioning.py is what
both sides agree on; routes.py lists the routes)."""
