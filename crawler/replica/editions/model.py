"""The Arabic and Spanish editions' site furniture: names, menus, regions, ticker,
authors and the words their pages are written with.

Everything here is a guess built on SITE.md's certain facts (Arabic: tawsiyat
metadata, raw Unicode slugs, a JavaScript "Load More", monthly sitemaps; Spanish:
numeric-id URLs, visible dates without a year). Paths keep the English edition's
forms where nothing says otherwise (Arabic ``/news/politics/<slug>``), and the
Spanish articles live at ``/<section>/<id>/<slug>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BEIRUT = ZoneInfo("Asia/Beirut")

AR_MONTHS = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
             "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول")
ES_MONTHS = ("Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
             "Septiembre", "Octubre", "Noviembre", "Diciembre")


@dataclass(frozen=True)
class EditionSite:
    key: str                 # "ar" | "es"
    language: str
    direction: str           # "rtl" | "ltr"
    site_name: str           # in <title> suffixes, og:site_name, JSON-LD publisher
    home_label: str          # the breadcrumb's first link
    # [(category, category path, [(section, section path), ...]), ...]
    menu: list
    regions_path: str        # "/regions" | "/regiones"
    regions: dict            # slug -> name as the menu shows it
    breaking_label: str
    breaking: list
    authors: dict            # name -> slug of /authors/<slug>
    by_word: str             # "بقلم:" | "Por"
    source_word: str         # "المصدر:" | "Fuente:"
    read_time: str           # "{n} دقائق قراءة" | "{n} min de lectura"
    related_label: str
    most_read_label: str
    load_more_label: str
    tags_label: str
    footer: str
    # Visible dates: Arabic shows the year, Spanish not (certain: "23 Julio 19:20").
    months: tuple = ()
    year_in_dates: bool = True
    sections: dict = field(default_factory=dict)     # section path -> (category, name)

    def visible_datetime(self, dt: datetime) -> str:
        local = dt.astimezone(BEIRUT)
        year = f" {local.year}" if self.year_in_dates else ""
        return f"{local.day} {self.months[local.month - 1]}{year} {local:%H:%M}"

    def visible_date(self, dt: datetime) -> str:
        local = dt.astimezone(BEIRUT)
        year = f" {local.year}" if self.year_in_dates else ""
        return f"{local.day} {self.months[local.month - 1]}{year}"

    def section_path(self, category: str, section: str) -> str:
        for path, (cat, name) in self.sections.items():
            if cat == category and name == section:
                return path
        raise KeyError((category, section))


def _sections(menu: list) -> dict:
    return {path: (category, name) for category, _p, sections in menu
            for name, path in sections}


_AR_MENU = [
    ("أخبار", "/news", [("سياسة", "/news/politics"), ("اقتصاد", "/news/economy"),
                        ("رياضة", "/news/sports"), ("صحة", "/news/health")]),
    ("مقالات", "/articles", [("رأي", "/articles/opinion"), ("تحليل", "/articles/analysis")]),
]
_ES_MENU = [
    ("Noticias", "/noticias", [("Política", "/politica"), ("Economía", "/economia"),
                               ("Deportes", "/deportes"), ("Cultura", "/cultura")]),
    ("Opinión", "/opinion", [("Entrevistas", "/entrevistas"), ("Análisis", "/analisis")]),
]

AR = EditionSite(
    key="ar", language="ar", direction="rtl", site_name="الميادين", home_label="الرئيسية",
    menu=_AR_MENU, regions_path="/regions",
    regions={"palestine": "فلسطين", "lebanon": "لبنان", "iraq": "العراق", "yemen": "اليمن",
             "iran": "إيران"},
    breaking_label="عاجل",
    breaking=[
        "مصادر محلية: غارة إسرائيلية على سيارة في جنوب لبنان",
        "وزارة الصحة في غزة: ارتفاع عدد الشهداء منذ الصباح إلى 27",
        "القوات المسلحة اليمنية: استهداف سفينة مرتبطة بالاحتلال في البحر الأحمر",
        "الخارجية الإيرانية: المفاوضات غير المباشرة مستمرة عبر الوسطاء",
    ],
    authors={"الميادين نت": "almayadeen-net", "كريم حداد": "karim-haddad",
             "لينا ناصر": "lina-nasser", "عمر خليل": "omar-khalil",
             "حسن عزيز": "hassan-aziz", "مايا صالح": "maya-saleh"},
    by_word="بقلم:", source_word="المصدر:", read_time="{n} دقائق قراءة",
    related_label="أخبار ذات صلة", most_read_label="الأكثر قراءة",
    load_more_label="المزيد", tags_label="الكلمات المفتاحية",
    footer="الميادين قناة فضائية عربية مستقلة. جميع الحقوق محفوظة",
    months=AR_MONTHS, year_in_dates=True, sections=_sections(_AR_MENU),
)
ES = EditionSite(
    key="es", language="es", direction="ltr", site_name="Al Mayadeen Español",
    home_label="Inicio", menu=_ES_MENU, regions_path="/regiones",
    regions={"palestina": "Palestina", "america-latina": "América Latina",
             "asia-occidental": "Asia Occidental", "europa": "Europa"},
    breaking_label="Última hora",
    breaking=[
        "Fuentes locales: bombardeo israelí contra un vehículo en el sur del Líbano",
        "Ministerio de Salud de Gaza: 27 mártires desde esta mañana",
        "Cancillería venezolana denuncia nuevas sanciones de Washington",
        "Yemen: las Fuerzas Armadas anuncian un ataque contra un buque en el mar Rojo",
    ],
    authors={"Al Mayadeen Español": "al-mayadeen-espanol", "Lucía Herrera": "lucia-herrera",
             "Andrés Quintero": "andres-quintero", "Camila Rojas": "camila-rojas",
             "Javier Molina": "javier-molina"},
    by_word="Por", source_word="Fuente:", read_time="{n} min de lectura",
    related_label="Noticias relacionadas", most_read_label="Lo más leído",
    load_more_label="Cargar más", tags_label="Etiquetas",
    footer="Al Mayadeen es un canal satelital árabe independiente. Todos los derechos reservados",
    months=ES_MONTHS, year_in_dates=False, sections=_sections(_ES_MENU),
)
SITES = {"ar": AR, "es": ES}


def bt(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """An aware datetime in Beirut local time."""
    return datetime(year, month, day, hour, minute, tzinfo=BEIRUT)


def days_ago(days: int, hour: int, minute: int) -> datetime:
    """Beirut ``hour:minute``, ``days`` days before today (at least one day back, so
    always before a crawl): the Spanish pages show no year, and a year-less date is
    read as the latest such moment before the fetch, so the Spanish replica's clock
    follows the real one (a page of 2025 shown "23 Julio" would be read as this
    year's)."""
    today = datetime.now(UTC).astimezone(BEIRUT).date()
    day = today - timedelta(days=max(1, days))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIRUT)
