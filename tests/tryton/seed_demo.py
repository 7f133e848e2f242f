"""Seeds the demo's Tryton database over JSON-RPC, as a Tryton user's client would: the
`Customer` party category, a few countries, and customers with a code, an e-mail and an
address; some parties are suppliers, not customers, so the till must leave them out.

Usage: seed_demo.py <JSON-RPC url, such as http://127.0.0.1:8790/pos/rpc/> <password file> <count>
"""

import base64
import json
import sys
import urllib.error
import urllib.request

FIRST = ["Łukasz", "Anna", "Jan", "Maria", "Piotr", "Katarzyna", "Pieter", "Sanne", "Tomasz", "Agnieszka",
         "Daan", "Emma", "Krzysztof", "Zofia", "Willem", "Julia"]
LAST = ["Kowalski", "Nowak", "de Vries", "Wiśniewska", "Jansen", "Zieliński", "van Dijk", "Wójcik",
        "Bakker", "Lewandowska", "Visser", "Kamińska", "Smit", "Dąbrowski", "Meijer", "Szymańska"]
CITIES = [("Gdańsk", "80-831", "PL"), ("Kraków", "31-042", "PL"), ("Warszawa", "00-001", "PL"),
          ("Amsterdam", "1012 AB", "NL"), ("Utrecht", "3511 AA", "NL"), ("Poznań", "61-001", "PL")]


def call(url, method, params, session=None):
    headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
    if session:
        headers["Authorization"] = "Session " + base64.b64encode(session.encode()).decode()
    body = json.dumps({"id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            reply = json.load(answer)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method}: Tryton answered HTTP {error.code} at {url}")
    if reply.get("error"):
        raise SystemExit(f"{method}: Tryton answered {reply['error']}")
    return reply["result"]


def main():
    url, password_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    password = open(password_file, encoding="utf-8").read().rstrip("\r\n")
    login = call(url, "common.db.login", ["admin", {"password": password}])
    user_id, key = login[0], login[1]
    session = f"admin:{user_id}:{key}"
    existing = call(url, "model.party.category.search", [[["name", "=", "Customer"]], 0, None, None, {}], session)
    if existing:
        print("tryton: the demo database is already seeded")
        return
    [customer] = call(url, "model.party.category.create", [[{"name": "Customer"}], {}], session)
    countries = [{"name": name, "code": code} for name, code in [("Poland", "PL"), ("Netherlands", "NL")]]
    call(url, "model.country.country.create", [countries, {}], session)
    parties = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST) + i) % len(LAST)]
        city, postal_code, _ = CITIES[i % len(CITIES)]
        supplier = i % 10 == 9
        parties.append({
            "code": f"T-{i + 1:05}",
            "name": f"{first} {last}",
            "categories": [] if supplier else [["add", [customer]]],
            "contact_mechanisms": [["create", [{"type": "email", "value": f"klant{i + 1}@example.com"}]]],
            "addresses": [["create", [{"street": f"ul. Długa {i % 90 + 1}", "postal_code": postal_code,
                                       "city": city}]]],
        })
    for start in range(0, len(parties), 500):
        call(url, "model.party.party.create", [parties[start:start + 500], {}], session)
    print(f"tryton: seeded {count} parties, {count - count // 10} of them customers")


main()
