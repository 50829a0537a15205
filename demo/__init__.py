"""The demo organisation and its story: `huiyin demo` fills a store with it.

A coal company's union and HR department over the last months: appeals through every
channel, a year of meetings, accountability and reviews, and the disclosure board, each
step given through the application services at its own historical moment. The demo sits
beside `api` at the top of the layers: it uses what `api.bootstrap` wires, and nothing in
`domain`, `application`, `infrastructure` or `projections` imports it.
"""
