"""Reports: every output format of an `Analysis` (text, markdown note, HTML, JSON, GitLab artifacts, SARIF).

`render.render` is one format; `render.render_note` the note for every environment of a pipeline;
`render.write_reports` writes all of them into a directory. Escaping is per medium, in each renderer.
"""
