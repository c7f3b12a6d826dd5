"""The default taxonomy's French, Spanish and Brazilian Portuguese, for rows already there.

A database gets the default taxonomy from tickets 0002; this gives its rows the
translations catalog/defaults.py now creates them with. A text is translated only
where the row still says what the default said in English (an admin's own wording
is left alone) and has no translation in that language yet. The data is copied
here, as in tickets 0002, so the migration does what it did when it was written.
"""

from django.db import migrations

# Model: slug: (the default English, its translations).
ROWS = {
    "Category": {
        "bug": (
            {"name": "Bug", "description": "Something does not work as it should."},
            {
                "fr": {
                    "name": "Anomalie",
                    "description": "Quelque chose ne fonctionne pas comme prévu.",
                },
                "es": {"name": "Error", "description": "Algo no funciona como debería."},
                "pt-br": {"name": "Erro", "description": "Algo não funciona como deveria."},
            },
        ),
        "question": (
            {"name": "Question", "description": "How to do something, or what something means."},
            {
                "fr": {
                    "name": "Question",
                    "description": "Comment faire quelque chose, ou ce que signifie quelque chose.",
                },
                "es": {"name": "Pregunta", "description": "Cómo hacer algo, o qué significa algo."},
                "pt-br": {
                    "name": "Dúvida",
                    "description": "Como fazer algo, ou o que algo significa.",
                },
            },
        ),
        "feature-request": (
            {"name": "Feature request", "description": "Something the product does not do yet."},
            {
                "fr": {
                    "name": "Demande d'évolution",
                    "description": "Quelque chose que le produit ne fait pas encore.",
                },
                "es": {
                    "name": "Solicitud de funcionalidad",
                    "description": "Algo que el producto todavía no hace.",
                },
                "pt-br": {
                    "name": "Pedido de funcionalidade",
                    "description": "Algo que o produto ainda não faz.",
                },
            },
        ),
    },
    "Impact": {
        "critical": (
            {
                "name": "Critical",
                "definition": "The production application is down or so broken that it cannot be used at all.",
            },
            {
                "fr": {
                    "name": "Critique",
                    "definition": "L'application en production est arrêtée, ou si défaillante qu'elle ne peut plus du tout être utilisée.",
                },
                "es": {
                    "name": "Crítico",
                    "definition": "La aplicación en producción no funciona, o falla tanto que no se puede usar en absoluto.",
                },
                "pt-br": {
                    "name": "Crítico",
                    "definition": "A aplicação em produção está fora do ar, ou tão comprometida que não pode ser usada de forma alguma.",
                },
            },
        ),
        "significant": (
            {
                "name": "Significant",
                "definition": "A large part of the application fails and many users cannot do their normal work; there is no workaround, or only an awkward one.",
            },
            {
                "fr": {
                    "name": "Important",
                    "definition": "Une grande partie de l'application ne fonctionne pas et de nombreux utilisateurs ne peuvent pas faire leur travail habituel ; il n'existe aucune solution de contournement, ou seulement une solution peu pratique.",
                },
                "es": {
                    "name": "Significativo",
                    "definition": "Una gran parte de la aplicación falla y muchos usuarios no pueden hacer su trabajo habitual; no hay ninguna solución alternativa, o solo una poco práctica.",
                },
                "pt-br": {
                    "name": "Significativo",
                    "definition": "Uma grande parte da aplicação falha e muitos usuários não conseguem fazer seu trabalho normal; não há solução alternativa, ou só uma pouco prática.",
                },
            },
        ),
        "minor": (
            {
                "name": "Minor",
                "definition": "Some functionality or speed is lost and several users are hindered in their work, but an easy workaround exists or the slowdown is small.",
            },
            {
                "fr": {
                    "name": "Mineur",
                    "definition": "Une fonctionnalité manque ou l'application est plus lente, et plusieurs utilisateurs sont gênés dans leur travail, mais une solution de contournement simple existe ou le ralentissement est faible.",
                },
                "es": {
                    "name": "Menor",
                    "definition": "Se pierde alguna funcionalidad o velocidad y varios usuarios ven dificultado su trabajo, pero existe una solución alternativa sencilla o la lentitud es leve.",
                },
                "pt-br": {
                    "name": "Menor",
                    "definition": "Alguma funcionalidade ou velocidade é perdida e vários usuários têm o trabalho prejudicado, mas existe uma solução alternativa simples ou a lentidão é pequena.",
                },
            },
        ),
        "low": (
            {
                "name": "Low",
                "definition": "A small loss of functionality or a cosmetic problem; work goes on as normal.",
            },
            {
                "fr": {
                    "name": "Faible",
                    "definition": "Une petite perte de fonctionnalité ou un défaut d'affichage ; le travail continue normalement.",
                },
                "es": {
                    "name": "Bajo",
                    "definition": "Una pequeña pérdida de funcionalidad o un problema estético; el trabajo sigue con normalidad.",
                },
                "pt-br": {
                    "name": "Baixo",
                    "definition": "Uma pequena perda de funcionalidade ou um problema visual; o trabalho segue normalmente.",
                },
            },
        ),
    },
    "IssueTag": {
        "data-export": (
            {"name": "Data export"},
            {
                "fr": {"name": "Export de données"},
                "es": {"name": "Exportación de datos"},
                "pt-br": {"name": "Exportação de dados"},
            },
        ),
        "data-import": (
            {"name": "Data import"},
            {
                "fr": {"name": "Import de données"},
                "es": {"name": "Importación de datos"},
                "pt-br": {"name": "Importação de dados"},
            },
        ),
        "user-management": (
            {"name": "User management"},
            {
                "fr": {"name": "Gestion des utilisateurs"},
                "es": {"name": "Gestión de usuarios"},
                "pt-br": {"name": "Gerenciamento de usuários"},
            },
        ),
        "login-and-access": (
            {"name": "Login and access"},
            {
                "fr": {"name": "Connexion et accès"},
                "es": {"name": "Inicio de sesión y acceso"},
                "pt-br": {"name": "Login e acesso"},
            },
        ),
        "forms-and-surveys": (
            {"name": "Forms and surveys"},
            {
                "fr": {"name": "Formulaires et enquêtes"},
                "es": {"name": "Formularios y encuestas"},
                "pt-br": {"name": "Formulários e pesquisas"},
            },
        ),
        "device-and-app-sync": (
            {"name": "Device and app sync"},
            {
                "fr": {"name": "Appareils et synchronisation de l'application"},
                "es": {"name": "Dispositivos y sincronización de la aplicación"},
                "pt-br": {"name": "Dispositivos e sincronização do aplicativo"},
            },
        ),
        "dashboards-and-visualisation": (
            {"name": "Dashboards and visualisation"},
            {
                "fr": {"name": "Tableaux de bord et visualisation"},
                "es": {"name": "Paneles y visualización"},
                "pt-br": {"name": "Painéis e visualização"},
            },
        ),
        "reports-and-results": (
            {"name": "Reports and results"},
            {
                "fr": {"name": "Rapports et résultats"},
                "es": {"name": "Informes y resultados"},
                "pt-br": {"name": "Relatórios e resultados"},
            },
        ),
        "performance": (
            {"name": "Performance"},
            {
                "fr": {"name": "Performances"},
                "es": {"name": "Rendimiento"},
                "pt-br": {"name": "Desempenho"},
            },
        ),
        "notifications-and-email": (
            {"name": "Notifications and email"},
            {
                "fr": {"name": "Notifications et e-mails"},
                "es": {"name": "Notificaciones y correo electrónico"},
                "pt-br": {"name": "Notificações e e-mail"},
            },
        ),
        "api-and-integrations": (
            {"name": "API and integrations"},
            {
                "fr": {"name": "API et intégrations"},
                "es": {"name": "API e integraciones"},
                "pt-br": {"name": "API e integrações"},
            },
        ),
        "documentation": (
            {"name": "Documentation"},
            {
                "fr": {"name": "Documentation"},
                "es": {"name": "Documentación"},
                "pt-br": {"name": "Documentação"},
            },
        ),
    },
    "Product": {
        "akvo-flow": (
            {"description": "Collect data in the field with mobile surveys, even offline."},
            {
                "fr": {
                    "description": "Collectez des données sur le terrain avec des enquêtes mobiles, même hors connexion."
                },
                "es": {
                    "description": "Recopile datos sobre el terreno con encuestas móviles, incluso sin conexión."
                },
                "pt-br": {
                    "description": "Colete dados em campo com pesquisas no celular, mesmo sem conexão."
                },
            },
        ),
        "akvo-rsr": (
            {"description": "Report on projects and results, and share them online."},
            {
                "fr": {
                    "description": "Rendez compte de vos projets et de leurs résultats, et partagez-les en ligne."
                },
                "es": {
                    "description": "Informe sobre proyectos y resultados, y compártalos en línea."
                },
                "pt-br": {"description": "Relate projetos e resultados e compartilhe-os on-line."},
            },
        ),
        "akvo-lumen": (
            {"description": "Clean, analyse and visualise data, and build dashboards."},
            {
                "fr": {
                    "description": "Nettoyez, analysez et visualisez des données, et créez des tableaux de bord."
                },
                "es": {"description": "Limpie, analice y visualice datos, y cree paneles."},
                "pt-br": {"description": "Limpe, analise e visualize dados e crie painéis."},
            },
        ),
        "other": (
            {
                "description": "Anything else, or if you are not sure which product.",
                "name": "Other",
            },
            {
                "fr": {
                    "name": "Autre",
                    "description": "Tout le reste, ou si vous ne savez pas de quel produit il s'agit.",
                },
                "es": {
                    "name": "Otro",
                    "description": "Cualquier otra cosa, o si no sabe de qué producto se trata.",
                },
                "pt-br": {
                    "name": "Outro",
                    "description": "Qualquer outra coisa, ou se você não sabe qual é o produto.",
                },
            },
        ),
    },
}

REPORT_FIELDS = {
    "akvo-flow": {
        "dashboard": (
            {"label": "Dashboard", "help": "The Flow dashboard (instance) you use"},
            {
                "fr": {
                    "label": "Tableau de bord",
                    "help": "Le tableau de bord Flow (instance) que vous utilisez",
                },
                "es": {"label": "Dashboard", "help": "El dashboard de Flow (instancia) que usa"},
                "pt-br": {
                    "label": "Dashboard",
                    "help": "O dashboard do Flow (instância) que você usa",
                },
            },
        ),
        "folder": (
            {"label": "Folder"},
            {"fr": {"label": "Dossier"}, "es": {"label": "Carpeta"}, "pt-br": {"label": "Pasta"}},
        ),
        "survey": (
            {"label": "Survey"},
            {
                "fr": {"label": "Enquête"},
                "es": {"label": "Encuesta"},
                "pt-br": {"label": "Pesquisa"},
            },
        ),
        "assignment": (
            {"label": "Assignment"},
            {
                "fr": {"label": "Attribution"},
                "es": {"label": "Asignación"},
                "pt-br": {"label": "Atribuição"},
            },
        ),
        "device_id": (
            {"label": "Device ID"},
            {
                "fr": {"label": "Identifiant de l'appareil"},
                "es": {"label": "ID del dispositivo"},
                "pt-br": {"label": "ID do dispositivo"},
            },
        ),
        "imei": (
            {"label": "IMEI", "help": "Dial *#06# on the phone to see it"},
            {
                "fr": {"label": "IMEI", "help": "Composez *#06# sur le téléphone pour l'afficher"},
                "es": {"label": "IMEI", "help": "Marque *#06# en el teléfono para verlo"},
                "pt-br": {"label": "IMEI", "help": "Disque *#06# no telefone para vê-lo"},
            },
        ),
    },
    "akvo-rsr": {
        "user_role": (
            {"label": "User role / account"},
            {
                "fr": {"label": "Rôle de l'utilisateur / compte"},
                "es": {"label": "Rol de usuario / cuenta"},
                "pt-br": {"label": "Função do usuário / conta"},
            },
        ),
        "project": (
            {"label": "Project", "help": "Title or link of the project"},
            {
                "fr": {"label": "Projet", "help": "Titre ou lien du projet"},
                "es": {"label": "Proyecto", "help": "Título o enlace del proyecto"},
                "pt-br": {"label": "Projeto", "help": "Título ou link do projeto"},
            },
        ),
        "organisation": (
            {"label": "Organisation"},
            {
                "fr": {"label": "Organisation"},
                "es": {"label": "Organización"},
                "pt-br": {"label": "Organização"},
            },
        ),
        "rsr_page": (
            {"label": "RSR page", "help": "Address of the page where it happens"},
            {
                "fr": {"label": "Page RSR", "help": "Adresse de la page où cela se produit"},
                "es": {"label": "Página de RSR", "help": "Dirección de la página donde ocurre"},
                "pt-br": {"label": "Página do RSR", "help": "Endereço da página onde acontece"},
            },
        ),
    },
    "akvo-lumen": {
        "instance": (
            {"label": "Instance"},
            {
                "fr": {"label": "Instance"},
                "es": {"label": "Instancia"},
                "pt-br": {"label": "Instância"},
            },
        ),
        "user": (
            {"label": "User"},
            {
                "fr": {"label": "Utilisateur"},
                "es": {"label": "Usuario"},
                "pt-br": {"label": "Usuário"},
            },
        ),
        "dataset": (
            {"label": "Dataset"},
            {
                "fr": {"label": "Jeu de données"},
                "es": {"label": "Conjunto de datos"},
                "pt-br": {"label": "Conjunto de dados"},
            },
        ),
        "visualisation": (
            {"label": "Visualisation"},
            {
                "fr": {"label": "Visualisation"},
                "es": {"label": "Visualización"},
                "pt-br": {"label": "Visualização"},
            },
        ),
        "dashboard": (
            {"label": "Dashboard"},
            {
                "fr": {"label": "Tableau de bord"},
                "es": {"label": "Panel"},
                "pt-br": {"label": "Painel"},
            },
        ),
    },
}


def _filled(translations, english_now, english_default, written):
    """``translations`` with each written text whose English is still the default's, where
    the row has none in that language."""
    result = {code: dict(fields) for code, fields in (translations or {}).items()}
    for code, fields in written.items():
        for field, text in fields.items():
            if english_now.get(field) != english_default.get(field):
                continue
            if (result.get(code) or {}).get(field, "").strip():
                continue
            result.setdefault(code, {})[field] = text
    return result


def translate_defaults(apps, schema_editor):
    for model_name, rows in ROWS.items():
        model = apps.get_model("catalog", model_name)
        for slug, (english, written) in rows.items():
            row = model.objects.filter(slug=slug).first()
            if row is None:
                continue
            now = {field: getattr(row, field) for field in english}
            translations = _filled(row.translations, now, english, written)
            if translations != row.translations:
                row.translations = translations
                row.save(update_fields=["translations"])
    Product = apps.get_model("catalog", "Product")
    for slug, fields in REPORT_FIELDS.items():
        product = Product.objects.filter(slug=slug).first()
        if product is None or not isinstance(product.report_fields, list):
            continue
        specs = []
        for spec in product.report_fields:
            if isinstance(spec, dict) and spec.get("name") in fields:
                english, written = fields[spec["name"]]
                now = {key: spec.get(key) for key in english}
                translations = _filled(spec.get("translations"), now, english, written)
                spec = {**spec, "translations": translations} if translations else spec
            specs.append(spec)
        if specs != product.report_fields:
            product.report_fields = specs
            product.save(update_fields=["report_fields"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_translations")]

    operations = [migrations.RunPython(translate_defaults, migrations.RunPython.noop)]
