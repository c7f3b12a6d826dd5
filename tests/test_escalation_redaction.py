"""What an escalation may publish on a public GitHub repository: people and secrets never.

A table of what partners really write, in the languages of Akvo's hubs, with what
the issue says instead; and what must stay (versions, dates, references), since
L2 needs it.
"""

import pytest

from tickets.escalation.redaction import Context, find, highlighted, redact

TOKEN = "Qm3xT9vLp2KzR8wY4nHs6JdB"
PEOPLE = Context(
    names=(
        "Kwame Mensah",
        "Jean-Pierre Dupont",
        "José da Silva",
        "Amina Odhiambo",
        "Siti Nurhaliza",
        "Lotte de Vries",
    ),
    emails=("kwame@ghana-wash.example.org",),
    tokens=(TOKEN,),
    site_url="https://support.akvo.example",
)


def ctx(region: str) -> Context:
    return Context(
        names=PEOPLE.names,
        emails=PEOPLE.emails,
        tokens=PEOPLE.tokens,
        site_url=PEOPLE.site_url,
        regions=(region,) if region else (),
    )


CASES = [
    # --- English, Ghana: the report that leaked ---------------------------------
    ("GH", "Kwame phoned, call back +233 20 123 4567", "[name] phoned, call back [phone]"),
    ("GH", "Call Kwame on 020 123 4567 after 2pm", "Call [name] on [phone] after 2pm"),
    ("GH", "KWAME MENSAH cannot sync", "[name] cannot sync"),
    ("GH", "Mr. mensah says the form is blank", "Mr. [name] says the form is blank"),
    ("GH", "Mensah's phone: 0244123456", "[name]'s phone: [phone]"),
    ("GH", "Write to kwame@ghana-wash.example.org", "Write to [email]"),
    ("GH", "cc: k.mensah+flow@gmail.com, ops@akvo.org", "cc: [email], [email]"),
    # --- Kenya, Swahili ------------------------------------------------------------
    ("KE", "Amina alipiga simu 0722 123 456 jana", "[name] alipiga simu [phone] jana"),
    ("KE", "Nambari yangu ni +254 722 123456", "Nambari yangu ni [phone]"),
    (
        "KE",
        "Piga 0712345678 au tuma barua pepe amina@maji.example",
        "Piga [phone] au tuma barua pepe [email]",
    ),
    (
        "KE",
        "ODHIAMBO hawezi kuingia; nenosiri: Maji2024!",
        "[name] hawezi kuingia; nenosiri: [secret]",
    ),
    # --- Netherlands, Dutch -----------------------------------------------------------
    ("NL", "Bel Lotte op 06 12345678", "Bel [name] op [phone]"),
    ("NL", "Telefoon: +31 20 123 4567 (kantoor)", "Telefoon: [phone] (kantoor)"),
    (
        "NL",
        "Mevrouw De Vries heeft het wachtwoord: Tulp!2024",
        "Mevrouw De [name] heeft het wachtwoord: [secret]",
    ),
    ("NL", "020-1234567 is het nummer van Vries", "[phone] is het nummer van [name]"),
    # --- Indonesia, Indonesian ----------------------------------------------------------
    ("ID", "Hubungi Siti di 0812-3456-7890", "Hubungi [name] di [phone]"),
    ("ID", "No. HP: +62 812 3456 7890", "No. HP: [phone]"),
    ("ID", "nurhaliza lupa kata sandi: rahasia123", "[name] lupa kata sandi: [secret]"),
    # --- Bolivia, Spanish ------------------------------------------------------------
    ("BO", "Llamar a José al +591 71234567", "Llamar a [name] al [phone]"),
    (
        "BO",
        "Su celular es 71234567, pregunte por Jose Silva",
        "Su celular es [phone], pregunte por [name]",
    ),
    ("BO", "contraseña: Andes#2023 y usuario jsilva", "contraseña: [secret] y usuario jsilva"),
    (
        "BO",
        "El número de serie: R58M12ABCDE del teléfono",
        "El número de serie: [device id] del teléfono",
    ),
    # --- Portuguese, French ------------------------------------------------------------
    ("BR", "O SILVA ligou do (11) 91234-5678", "O [name] ligou do [phone]"),
    ("BR", "senha=Cajueiro77 no servidor", "senha=[secret] no servidor"),
    ("FR", "Rappeler José au 06 12 34 56 78", "Rappeler [name] au [phone]"),
    (
        "FR",
        "mot de passe : Soleil2024! (ne pas diffuser)",
        "mot de passe : [secret] (ne pas diffuser)",
    ),
    ("FR", "Écrire à jose.dasilva@exemple.fr", "Écrire à [email]"),
    # --- device identifiers -----------------------------------------------------------
    ("KE", "IMEI: 356938035643809", "IMEI: [device id]"),
    (
        "KE",
        "Simu yenye IMEI 35-693803-564380-9 haifanyi kazi",
        "Simu yenye IMEI [device id] haifanyi kazi",
    ),
    ("GH", "device 356938035643809 crashed", "device [device id] crashed"),
    ("NL", "Android ID: 9774d56d682e549c", "Android ID: [device id]"),
    ("ID", "MAC 00:1A:2B:3C:4D:5E tidak terdaftar", "MAC [device id] tidak terdaftar"),
    # --- private links and tokens ------------------------------------------------------
    ("GH", f"See https://support.akvo.example/t/{TOKEN}/", "See [private link]"),
    (
        "GH",
        f"link: https://other.example/t/{TOKEN}/files/3",
        "link: https://other.example[private link]",
    ),
    ("GH", f"token {TOKEN} from the email", "token [private link] from the email"),
    ("GH", "https://support.akvo.example/portal/lost?k=abc", "[private link]"),
    # --- secrets ------------------------------------------------------------------------
    ("GH", "password: hunter22", "password: [secret]"),
    ("GH", "api_key = sk_live_4eC39HqLyjWDarjtT1zdp7dc", "api_key = [secret]"),
    ("GH", "GITHUB_TOKEN ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij", "GITHUB_TOKEN [secret]"),
    (
        "GH",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N",
        "Authorization: Bearer [secret]",
    ),
    ("GH", "db url postgres://flow:S3cr3tPw@db.internal/flow", "db url postgres://[secret]/flow"),
    ("GH", "key Zx8Kq2Lm9Pw4Rt7Yb3Nc6Vd1Hf5G in the log", "key [secret] in the log"),
    ("GH", "AWS AKIAIOSFODNN7EXAMPLE in settings", "AWS [secret] in settings"),
    # --- a phone after its label, in a country no hub is in -------------------------
    ("", "Tel: 0301 234 5678 (oficina)", "Tel: [phone] (oficina)"),
    ("", "WhatsApp 0812 3456 7890", "WhatsApp [phone]"),
    ("", "Jean-Pierre Mensah and Pierre", "[name] and [name]"),
    # --- must NOT be redacted ---------------------------------------------------------
    ("GH", "Flow app 2.3.14 on Android 13", "Flow app 2.3.14 on Android 13"),
    ("KE", "Since 2024-03-15 10:42 UTC, see HD-1042", "Since 2024-03-15 10:42 UTC, see HD-1042"),
    ("NL", "Same as akvo/akvo-flow#4567 and #123", "Same as akvo/akvo-flow#4567 and #123"),
    ("ID", "Formulir 1234567 gagal, versi 1.10.2", "Formulir 1234567 gagal, versi 1.10.2"),
    (
        "BO",
        "Commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f rompió la exportación",
        "Commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f rompió la exportación",
    ),
    (
        "FR",
        "Instance akvoflow-42, survey 20240315, 15/03/2024",
        "Instance akvoflow-42, survey 20240315, 15/03/2024",
    ),
    (
        "GH",
        "Form id 550e8400-e29b-41d4-a716-446655440000 fails",
        "Form id 550e8400-e29b-41d4-a716-446655440000 fails",
    ),
    ("GH", "Silvana and Mensahs are other words", "Silvana and Mensahs are other words"),
    ("KE", "Export stops at 50% after 12000 rows", "Export stops at 50% after 12000 rows"),
    ("GH", "Contact form 3 has 1200 answers", "Contact form 3 has 1200 answers"),
    ("ID", "Survei nomor 2231457 gagal diunggah", "Survei nomor 2231457 gagal diunggah"),
    (
        "GH",
        "Desk: https://support.akvo.example/desk/tickets/42/",
        "Desk: https://support.akvo.example/desk/tickets/42/",
    ),
    ("NL", "Password reset email never arrives", "Password reset email never arrives"),
    ("GH", "Already redacted: [name] at [phone]", "Already redacted: [name] at [phone]"),
]


@pytest.mark.parametrize(("region", "text", "published"), CASES)
def test_personal_data_and_secrets_are_redacted_and_the_rest_is_kept(region, text, published):
    assert redact(text, ctx(region)) == published


def test_the_table_is_large_enough():
    assert len(CASES) >= 40


def test_an_allowed_contact_stays_when_the_agent_chose_to_include_it():
    context = Context(
        names=("Kwame Mensah",),
        emails=("kwame@ghana-wash.example.org",),
        allowed=frozenset({"kwame", "mensah", "kwame@ghana-wash.example.org"}),
    )
    text = "Kwame Mensah <kwame@ghana-wash.example.org>, +233 20 123 4567"
    assert redact(text, context) == "Kwame Mensah <kwame@ghana-wash.example.org>, [phone]"


def test_redacted_text_has_nothing_left_to_find():
    for region, text, _published in CASES:
        assert find(redact(text, ctx(region)), ctx(region)) == []


def test_highlighting_marks_placeholders_and_escapes_the_rest():
    assert (
        highlighted("<b>[name]</b> & [phone]")
        == "&lt;b&gt;<mark>[name]</mark>&lt;/b&gt; &amp; <mark>[phone]</mark>"
    )
    text = "call +233 20 123 4567"
    assert highlighted(text, find(text, PEOPLE)) == (
        'call <mark title="phone">+233 20 123 4567</mark>'
    )
