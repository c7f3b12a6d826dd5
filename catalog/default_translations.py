"""The default taxonomy (catalog.defaults) in French, Spanish and Brazilian Portuguese.

Written for partners who read the Contact Us form and our mails: the words their
teams use (Spanish formal "usted", Brazilian "você", as the interface catalogues).
A product's name is a brand and stays as it is, except "Other"; Akvo Flow's web
application keeps the name "Dashboard" in Spanish and Portuguese, as the interface
catalogues call it. Keyed by slug (report fields: by product slug and field name),
shaped as a row's ``translations`` (helpdesk.translated).
"""

from __future__ import annotations

from typing import Any

Texts = dict[str, dict[str, str]]

CATEGORIES: dict[str, Texts] = {
    "bug": {
        "fr": {"name": "Anomalie", "description": "Quelque chose ne fonctionne pas comme prévu."},
        "es": {"name": "Error", "description": "Algo no funciona como debería."},
        "pt-br": {"name": "Erro", "description": "Algo não funciona como deveria."},
    },
    "question": {
        "fr": {
            "name": "Question",
            "description": "Comment faire quelque chose, ou ce que signifie quelque chose.",
        },
        "es": {"name": "Pregunta", "description": "Cómo hacer algo, o qué significa algo."},
        "pt-br": {"name": "Dúvida", "description": "Como fazer algo, ou o que algo significa."},
    },
    "feature-request": {
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
}

IMPACTS: dict[str, Texts] = {
    "critical": {
        "fr": {
            "name": "Critique",
            "definition": "L'application en production est arrêtée, ou si défaillante "
            "qu'elle ne peut plus du tout être utilisée.",
        },
        "es": {
            "name": "Crítico",
            "definition": "La aplicación en producción no funciona, o falla tanto "
            "que no se puede usar en absoluto.",
        },
        "pt-br": {
            "name": "Crítico",
            "definition": "A aplicação em produção está fora do ar, ou tão comprometida "
            "que não pode ser usada de forma alguma.",
        },
    },
    "significant": {
        "fr": {
            "name": "Important",
            "definition": "Une grande partie de l'application ne fonctionne pas et de nombreux "
            "utilisateurs ne peuvent pas faire leur travail habituel ; il n'existe aucune "
            "solution de contournement, ou seulement une solution peu pratique.",
        },
        "es": {
            "name": "Significativo",
            "definition": "Una gran parte de la aplicación falla y muchos usuarios no pueden "
            "hacer su trabajo habitual; no hay ninguna solución alternativa, o solo una "
            "poco práctica.",
        },
        "pt-br": {
            "name": "Significativo",
            "definition": "Uma grande parte da aplicação falha e muitos usuários não conseguem "
            "fazer seu trabalho normal; não há solução alternativa, ou só uma pouco prática.",
        },
    },
    "minor": {
        "fr": {
            "name": "Mineur",
            "definition": "Une fonctionnalité manque ou l'application est plus lente, et "
            "plusieurs utilisateurs sont gênés dans leur travail, mais une solution de "
            "contournement simple existe ou le ralentissement est faible.",
        },
        "es": {
            "name": "Menor",
            "definition": "Se pierde alguna funcionalidad o velocidad y varios usuarios ven "
            "dificultado su trabajo, pero existe una solución alternativa sencilla o la "
            "lentitud es leve.",
        },
        "pt-br": {
            "name": "Menor",
            "definition": "Alguma funcionalidade ou velocidade é perdida e vários usuários têm "
            "o trabalho prejudicado, mas existe uma solução alternativa simples ou a "
            "lentidão é pequena.",
        },
    },
    "low": {
        "fr": {
            "name": "Faible",
            "definition": "Une petite perte de fonctionnalité ou un défaut d'affichage ; "
            "le travail continue normalement.",
        },
        "es": {
            "name": "Bajo",
            "definition": "Una pequeña pérdida de funcionalidad o un problema estético; "
            "el trabajo sigue con normalidad.",
        },
        "pt-br": {
            "name": "Baixo",
            "definition": "Uma pequena perda de funcionalidade ou um problema visual; "
            "o trabalho segue normalmente.",
        },
    },
}


def _names(fr: str, es: str, pt_br: str) -> Texts:
    return {"fr": {"name": fr}, "es": {"name": es}, "pt-br": {"name": pt_br}}


ISSUE_TAGS: dict[str, Texts] = {
    "data-export": _names("Export de données", "Exportación de datos", "Exportação de dados"),
    "data-import": _names("Import de données", "Importación de datos", "Importação de dados"),
    "user-management": _names(
        "Gestion des utilisateurs", "Gestión de usuarios", "Gerenciamento de usuários"
    ),
    "login-and-access": _names("Connexion et accès", "Inicio de sesión y acceso", "Login e acesso"),
    "forms-and-surveys": _names(
        "Formulaires et enquêtes", "Formularios y encuestas", "Formulários e pesquisas"
    ),
    "device-and-app-sync": _names(
        "Appareils et synchronisation de l'application",
        "Dispositivos y sincronización de la aplicación",
        "Dispositivos e sincronização do aplicativo",
    ),
    "dashboards-and-visualisation": _names(
        "Tableaux de bord et visualisation", "Paneles y visualización", "Painéis e visualização"
    ),
    "reports-and-results": _names(
        "Rapports et résultats", "Informes y resultados", "Relatórios e resultados"
    ),
    "performance": _names("Performances", "Rendimiento", "Desempenho"),
    "notifications-and-email": _names(
        "Notifications et e-mails",
        "Notificaciones y correo electrónico",
        "Notificações e e-mail",
    ),
    "api-and-integrations": _names(
        "API et intégrations", "API e integraciones", "API e integrações"
    ),
    "documentation": _names("Documentation", "Documentación", "Documentação"),
}

PRODUCTS: dict[str, Texts] = {
    "akvo-flow": {
        "fr": {
            "description": "Collectez des données sur le terrain avec des enquêtes mobiles, "
            "même hors connexion."
        },
        "es": {
            "description": "Recopile datos sobre el terreno con encuestas móviles, "
            "incluso sin conexión."
        },
        "pt-br": {
            "description": "Colete dados em campo com pesquisas no celular, mesmo sem conexão."
        },
    },
    "akvo-rsr": {
        "fr": {
            "description": "Rendez compte de vos projets et de leurs résultats, "
            "et partagez-les en ligne."
        },
        "es": {"description": "Informe sobre proyectos y resultados, y compártalos en línea."},
        "pt-br": {"description": "Relate projetos e resultados e compartilhe-os on-line."},
    },
    "akvo-lumen": {
        "fr": {
            "description": "Nettoyez, analysez et visualisez des données, "
            "et créez des tableaux de bord."
        },
        "es": {"description": "Limpie, analice y visualice datos, y cree paneles."},
        "pt-br": {"description": "Limpe, analise e visualize dados e crie painéis."},
    },
    "other": {
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
}


def _field(fr: str, es: str, pt_br: str, helps: tuple[str, str, str] | None = None) -> Texts:
    """A report field's label (and help) in French, Spanish and Brazilian Portuguese."""
    texts = {"fr": {"label": fr}, "es": {"label": es}, "pt-br": {"label": pt_br}}
    for code, help_text in zip(("fr", "es", "pt-br"), helps or (), strict=False):
        texts[code]["help"] = help_text
    return texts


REPORT_FIELDS: dict[str, dict[str, Texts]] = {
    "akvo-flow": {
        "dashboard": _field(
            "Tableau de bord",
            "Dashboard",
            "Dashboard",
            (
                "Le tableau de bord Flow (instance) que vous utilisez",
                "El dashboard de Flow (instancia) que usa",
                "O dashboard do Flow (instância) que você usa",
            ),
        ),
        "folder": _field("Dossier", "Carpeta", "Pasta"),
        "survey": _field("Enquête", "Encuesta", "Pesquisa"),
        "assignment": _field("Attribution", "Asignación", "Atribuição"),
        "device_id": _field("Identifiant de l'appareil", "ID del dispositivo", "ID do dispositivo"),
        "imei": _field(
            "IMEI",
            "IMEI",
            "IMEI",
            (
                "Composez *#06# sur le téléphone pour l'afficher",
                "Marque *#06# en el teléfono para verlo",
                "Disque *#06# no telefone para vê-lo",
            ),
        ),
    },
    "akvo-rsr": {
        "user_role": _field(
            "Rôle de l'utilisateur / compte", "Rol de usuario / cuenta", "Função do usuário / conta"
        ),
        "project": _field(
            "Projet",
            "Proyecto",
            "Projeto",
            (
                "Titre ou lien du projet",
                "Título o enlace del proyecto",
                "Título ou link do projeto",
            ),
        ),
        "organisation": _field("Organisation", "Organización", "Organização"),
        "rsr_page": _field(
            "Page RSR",
            "Página de RSR",
            "Página do RSR",
            (
                "Adresse de la page où cela se produit",
                "Dirección de la página donde ocurre",
                "Endereço da página onde acontece",
            ),
        ),
    },
    "akvo-lumen": {
        "instance": _field("Instance", "Instancia", "Instância"),
        "user": _field("Utilisateur", "Usuario", "Usuário"),
        "dataset": _field("Jeu de données", "Conjunto de datos", "Conjunto de dados"),
        "visualisation": _field("Visualisation", "Visualización", "Visualização"),
        "dashboard": _field("Tableau de bord", "Panel", "Painel"),
    },
}


def with_translations(product_slug: str, fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A product's report fields, each with its translations where we wrote some."""
    written = REPORT_FIELDS.get(product_slug, {})
    return [
        {**spec, "translations": written[spec["name"]]} if spec["name"] in written else spec
        for spec in fields
    ]
