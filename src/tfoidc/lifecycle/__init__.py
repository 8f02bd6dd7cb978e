"""The lifecycle commands' orchestration: auth -> init -> validate -> plan -> show -> analysis -> reports,
branch rules, and the manifest check before apply."""
