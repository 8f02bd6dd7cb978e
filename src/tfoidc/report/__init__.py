"""Reports: every output format of an `Analysis` (text, markdown note, HTML, JSON, GitLab artifacts, SARIF).

`render.render` is one format; `render.render_note` the note for every environment of a pipeline;
`render.write_reports` writes every file format of one environment into its folder. Escaping is one
function per medium (`escape`), applied by construction in each renderer.
"""
