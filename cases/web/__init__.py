"""Inspector workspace (核查工作台): server-rendered Chinese pages over the case store.

Start: `cases.web.app.serve(db_url, host, port)` (migrates, then runs uvicorn), or
`uvicorn --factory cases.web.app:create_app` with env HECHA_DB. Set HECHA_SECRET_KEY
(session signing; otherwise sessions end on restart) and HECHA_COOKIE_SECURE=1 behind HTTPS.
Accounts: `cases.users.add_user` and friends.
"""
