#!/usr/bin/env python3
"""Writes the hand-made seed inputs into fuzz/corpus/<target>/seed-*.

Run from anywhere: `python3 fuzz/seeds/make_seeds.py`. The demo export seeds
(csv_import/seed-demo-*.csv) come from `clientele demo --customers 12 --seed 7` with
`--today 2026-11-30`, the same database the fuzz fixture builds.
"""
import csv
import io
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADER = ("id,company,account_name,account_type,status,contact_first_name,contact_last_name,"
          "email,phone,address,city,state,postal_code,country,time_zone,language,products,"
          "licenses,license_status,next_expiry,threat_system_action_required,"
          "threat_system_warning,license_action_required,license_warning,needs_attention,"
          "managed,wfbs_template,cloud_edge_template,last_transaction,created_at,notes").split(",")


def put(target, name, data):
    d = ROOT / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / f"seed-{name}").write_bytes(data)


def row(**cells):
    base = dict(
        id="", company="Seed Company", account_name="seed-account", account_type="CLP",
        status="active", contact_first_name="Ann", contact_last_name="Lee",
        email="ann@seed.example", phone="+1 555 0100", address="1 Main St", city="Springfield",
        state="IL", postal_code="62701", country="US", time_zone="America/Chicago",
        language="en-US", products="", licenses="", license_status="", next_expiry="",
        threat_system_action_required="0", threat_system_warning="0",
        license_action_required="0", license_warning="0", needs_attention="no", managed="no",
        wfbs_template="", cloud_edge_template="", last_transaction="", created_at="", notes="")
    base.update(cells)
    return [base[h] for h in HEADER]


def csv_text(rows, crlf=False, bom=False):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    w.writerow(HEADER)
    for r in rows:
        w.writerow(r)
    return ("\ufeff" if bom else "") + out.getvalue()


def csv_seeds():
    awkward = [
        row(company='Müller, "Bau" & Söhne; 東京 🚀', account_name="mueller-bau_01",
            contact_first_name="Zoë", contact_last_name="O'Neil",
            address="Hauptstraße 1\nHinterhaus", city="Berlin", state="Berlin",
            postal_code="10115", country="DE", time_zone="Europe/Berlin", language="de-DE",
            notes="'=SUM(A1)\nline two, with a comma", account_type="LMP",
            licenses="WFBS-S Advanced 12 months:25:30:2026-01-01:2027-01-01; "
                     "Cloud Edge 50 12 months:1:1:2026-03-31:2026-09-30",
            wfbs_template="Standard Office"),
        row(company="'=cmd|' /C calc'!A0", account_name="formula", phone="'+49 30 123",
            notes="'@SUM(1)\r\ncrlf inside", status="suspended"),
        row(company="Ελληνικά ΑΕ", account_name="greek", contact_first_name="Γιώργος",
            notes="emoji 👩‍💻 and a tab\tinside"),
    ]
    put("csv_import", "awkward.csv", csv_text(awkward))
    put("csv_import", "awkward-excel.csv", csv_text(awkward, crlf=True, bom=True))
    put("csv_import", "one-new.csv", csv_text([row()]))
    put("csv_import", "header-only.csv", csv_text([]))
    put("csv_import", "empty.csv", "")
    put("csv_import", "bad-header.csv", "id,company\n1,x\n")
    put("csv_import", "unclosed-quote.csv", csv_text([]) + '1,"open,')
    put("csv_import", "short-row.csv", csv_text([]) + "1,a,b\n")
    put("csv_import", "duplicate.csv", csv_text([row(), row(company="Other")]))
    put("csv_import", "bad-values.csv", csv_text([row(
        account_type="XYZ", email="not-an-email", country="Germany", licenses="nope:1",
        time_zone="Mars/Base", language="??")]))
    put("csv_import", "latin1.csv", csv_text([row()]).encode().replace(b"Ann", b"\xc4nn"))
    put("csv_import", "bad-license.csv", csv_text([row(
        licenses="WFBS-S Advanced 12 months:x:1:2026-01-01:2027-01-01; No Such Plan:1:0:2026-01-01:2025-01-01")]))


def license_seeds():
    for i, s in enumerate([
        "WFBS-S Full 12:10:5:2026-01-01:2027-01-01",
        "WFBS-S Full 12:10:5:2026-01-01:2027-01-01; Ünïcødé 東京 🚀:1:0:2024-02-29:2025-02-28",
        " a : +3 : 0 : 2026-12-31 : 9999-12-31 ;; ",
        "=cmd|' /C calc'!A0:1:2:0001-01-01:0001-01-01",
        "x \"q\", y:4294967295:4294967295::",
        "plan:with:colons:1:2:2026-01-01:2026-02-01",
        "only:three:parts",
        "p:-1:0:2026-01-01:2026-01-01",
        "",
    ]):
        put("license_cell", f"{i}", s)


def filter_seeds():
    for i, s in enumerate([
        "q=M%C3%BCller%2C+%22x%22&account_type=LMP&product=wfbss,cloud-edge&product=hes"
        "&license=expired&attention=yes&managed=no&sort=-next_expiry&limit=20&offset=40",
        "status=suspended&sort=attention&limit=1000",
        "q=%E6%9D%B1%E4%BA%AC&license=none&status=&colour=red",
        "limit=0&offset=-1&sort=size&q",
        "product=%20,%20wfbss%20,&sort=+company",
    ]):
        put("filter_query", f"url-{i}", b"\x00" + s.encode())
    for i, args in enumerate([
        ["--q", "müller", "--product", "wfbss", "--product", "cloud-edge", "--sort", "-company"],
        ["--account-type", "clp", "--status", "active", "--limit", "5", "--offset", "10"],
        ["--license", "expiring_soon", "--attention", "yes", "--managed", "yes", "--format", "json"],
        ["--q", "=cmd", "--bogus"],
    ]):
        put("filter_query", f"cli-{i}", b"\x01" + "\0".join(args).encode())


def form_seeds():
    for i, s in enumerate([
        "company=M%C3%BCller+%26+S%C3%B6hne&account_name=mb&notes=a%0D%0Ab",
        "a=1&&b=2&c&=d&e=",
        "x=%zz&y=%F0%9F%9A%80",
        "/customers/a%20b?limit=5&q=%E2%9C%93",
        "/api/customers/7/licenses?dry_run=yes",
        "/a%2Fb",
        "*",
    ]):
        put("form_body", f"{i}", s)


def multipart_seeds():
    put("multipart_body", "import",
        "multipart/form-data; boundary=----x1\n"
        "------x1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\nid,company\n1,\"A\r\nB\"\n\r\n------x1\r\n"
        "Content-Disposition: form-data; name=\"action\"\r\n\r\nimport\r\n------x1--\r\n")
    put("multipart_body", "quoted-boundary",
        "multipart/form-data; boundary=\"q;z\"\n"
        "--q;z\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n\r\n--q;z--")
    put("multipart_body", "escaped-name",
        "Multipart/Form-Data; charset=utf-8; boundary=b\n"
        "preamble\r\n--b\r\ncontent-disposition: form-data; name=\"a\\\"b\\\\\"; filename=\"\"\r\n\r\n"
        "data\r\n--b\r\nContent-Disposition: form-data; name=dry_run\r\n\r\nyes\r\n--b--")
    put("multipart_body", "unclosed",
        "multipart/form-data; boundary=b\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv")


def api_seeds():
    customer = (
        '{"company":"Müller, \\"Bau\\" & Söhne 🚀","account_name":"mueller-api","account_type":"LMP",'
        '"status":"active","contact_first_name":"Zoë","contact_last_name":"O\'Neil",'
        '"email":"zoe@mueller.example","phone":"+49 30 123","address":"Hauptstraße 1\\nHinterhaus",'
        '"city":"Berlin","state":"Berlin","postal_code":"10115","country":"DE",'
        '"time_zone":"Europe/Berlin","language":"de-DE","notes":"=SUM(A1)",'
        '"wfbs_template":"Standard Office","cloud_edge_template":null,'
        '"licenses":[{"plan":"WFBS-S Advanced 12 months","units":25,"used":3,'
        '"start":"2026-01-01","expiry":"2027-01-01"}]}')
    bodies = [
        (0, customer),
        (0, '{"company":"x"}'),
        (1, '{"notes":"edited\\r\\nnotes","status":"suspended","licenses":[]}'),
        (1, '{"licenses":[{"plan":"WFBS-S Advanced 12 months","units":1.0,"colour":1}]}'),
        (2, '{"plan":"Cloud Edge 50 12 months","units":2,"used":1,"start":"2026-11-30"}'),
        (3, '{"name":"Edge 9","serial":"CE-9999","model":"CE100","firmware":"1.2.3"}'),
        (4, '{"kind":"threat","severity":"warning","category":"antivirus","message":"EICAR",'
            '"time":"2026-11-29T10:00:00Z"}'),
        (5, '{"ids":[1,2,3],"dry_run":true}'),
        (6, '{"filter":{"product":["wfbss"],"attention":true},"template":"Standard Office"}'),
        (7, '{"ids":[2],"list":"blocked-urls","action":"append","entries":"https://bad.example/\\nx.example"}'),
        (8, '{"filter":{"q":""}}'),
        (9, '{"filter":{"license":"expired"},"until":"2027-12-31","include_expiring":true}'),
        (10, '{"ids":[1e0, 2.0]}'),
        (11, '{"filter":{"status":"suspended","limit":"5"}}'),
        (12, '{"view":"managed"}'),
        (13, '{"name":"Plan ✓","product":"wfbss","kind":"full","months":12,"notice_days":30,'
             '"auto_renew":true,"managed":true,"enabled":true,"end_of_life":false}'),
        (14, '{"name":"Renamed plan","months":24}'),
        (15, '{"name":"Tmpl 🚀","product":"cloud-edge","settings":{"scan":"daily","a":"b"}}'),
        (16, '{"name":"Renamed template"}'),
        (17, '{"units":5,"used":9,"start":"2026-01-31","expiry":"2026-02-28"}'),
        (18, '{"firmware":"9.9.9","serial":"CE-0001"}'),
        (19, '{"version":"2.5.1034"}'),
        (0, '[1,'),
        (5, '  '),
    ]
    for i, (route, body) in enumerate(bodies):
        put("api_json", f"{i:02}", bytes([route]) + body.encode())


def console_seeds():
    forms = [
        (0, "company=M%C3%BCller+%26+S%C3%B6hne+%F0%9F%9A%80&account_name=mueller-web&account_type=LMP"
            "&status=active&contact_first_name=Zo%C3%AB&contact_last_name=O%27Neil"
            "&email=zoe%40mueller.example&phone=%2B49+30+123&address=Hauptstra%C3%9Fe+1%0D%0AHinterhaus"
            "&city=Berlin&state=Berlin&postal_code=10115&country=DE&time_zone=Europe%2FBerlin"
            "&language=de-DE&notes=%3DSUM%28A1%29&wfbs_template=Standard+Office"
            "&plan-0=WFBS-S+Advanced+12+months&units-0=25&start-0=2026-01-01&plan-1=&units-1=&start-1="),
        (0, "company=x&plan-0=&units-0=3"),
        (1, "company=Renamed+GmbH&notes=a%0Ab&status=suspended"),
        (2, "plan=Cloud+Edge+50+12+months&units=2&used=1&start=2026-11-30"),
        (3, "units=5&used=9&start=2026-01-31&expiry=2026-02-28"),
        (4, "name=Edge+9&serial=CE-9999&model=CE100&firmware=1.2.3"),
        (5, "name=Edge+1&serial=CE-0001&model=CE50&firmware=9.9.9"),
        (6, "kind=threat&severity=warning&category=antivirus&message=EICAR&time=2026-11-29T10%3A00%3A00Z"),
        (7, "ids=1&ids=2,3&confirm_delete=yes"),
        (8, "ids=2&template=Standard+Office&options=1"),
        (9, "ids=2&list=blocked-urls&action=append&entries=https%3A%2F%2Fbad.example%2F&options=1"),
        (10, "license=expired&until=2027-12-31&include_expiring=yes&options=1&select=filter"),
        (11, "ids=1,2,3&back=%2Fcustomers%3Fq%3Dx"),
        (12, "ids=1&ids=2&raw=yes"),
        (13, "view=managed"),
        (14, "name=Plan+%E2%9C%93&product=wfbss&kind=full&months=12&notice_days=30&auto_renew=yes"
             "&managed=yes&enabled=yes"),
        (15, "name=Renamed+plan&months=24&notice_days=x"),
        (16, "name=Tmpl+%F0%9F%9A%80&product=cloud-edge&settings=scan%3Ddaily%0D%0Aa%3Db"),
        (17, "name=Standard+Office&settings=x%3Dy"),
        (18, "model=CE100&version=3.10.2"),
        (19, "action=dry-run&csv=" + "id%2Ccompany%0A1%2Cx"),
    ]
    for i, (route, body) in enumerate(forms):
        put("console_form", f"{i:02}", bytes([route]) + body.encode())
    put("console_form", "multipart-import", bytes([255]) + (
        "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\n" + ",".join(HEADER) + "\n" + ",".join(
            '"' + c.replace('"', '""') + '"' for c in row(company="Multipart Co", account_name="multipart"))
        + "\n\r\n--b\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nimport\r\n--b--\r\n"
    ).encode())


def record_seeds():
    kinds = ["customer", "summary", "plan", "template", "event", "firmware", "outbox", "audit",
             "settings"]
    samples = ROOT.parent / "tests" / "data" / "records"
    for i, kind in enumerate(kinds):
        data = (samples / f"{kind}-v1.bin").read_bytes()
        put("record_decode", kind, bytes([i]) + data)


def demo_csv_seeds():
    """Copies demo exports given as arguments (all.csv, excel.csv) when present."""
    for path in os.environ.get("DEMO_EXPORTS", "").split(":"):
        if path:
            put("csv_import", "demo-" + pathlib.Path(path).name, pathlib.Path(path).read_bytes())
            if path.endswith("all.csv"):
                rows = list(csv.reader(io.StringIO(pathlib.Path(path).read_text())))
                edited = [r[:] for r in rows[1:]]
                edited[1][30] = "edited notes"
                put("csv_import", "demo-edited.csv", csv_text(edited))
                renamed = [r[:] for r in rows[1:]]
                for r in renamed:
                    r[1], r[2] = "New " + r[1], "n" + r[2][:16]
                put("csv_import", "demo-renamed.csv", csv_text(renamed))


csv_seeds()
demo_csv_seeds()
license_seeds()
filter_seeds()
form_seeds()
multipart_seeds()
api_seeds()
console_seeds()
record_seeds()
