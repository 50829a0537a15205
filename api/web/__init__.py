"""The web: server-rendered pages (Jinja2, zh-CN first) under `/web/`, for people who do
not use an API client — the public board, the employee's, the workbench, the department
handler's and the auditor's pages. They call the same application services and view
queries as the JSON routes and obey the same policy (`domain.policy`); sessions are
cookies, every form carries a CSRF token, and every asset is shipped in the package.
"""
