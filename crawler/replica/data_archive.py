"""Truth data: articles that no page links, found only through the sitemaps.

Three older articles are listed only in the monthly sitemaps (as an archive is), and
one just-published article only in the news sitemap (the monthly sitemaps have not
caught up with it). A crawl cannot find them; ``newsmon backfill`` must. Invented
test content in the site's style, not real reporting; fields as in ``content.py``.
"""

from crawler.replica.model import H, bt

ARTICLES = [
    dict(
        key="archive-lebanon-syria-border", variant="full", postid=1898210,
        sitemap_only="monthly",
        path="/news/politics/lebanon-and-syria-sign-a-border-demarcation-memorandum",
        title="Lebanon and Syria sign a border demarcation memorandum",
        summary="The two governments agree to form technical committees to mark the land border and settle disputed villages.",
        authors=["Al Mayadeen English"], source="Agencies",
        published=bt(2024, 12, 18, 14, 20), modified=None,
        category="News", section="Politics", regions=["MENA"],
        tags=["Lebanon", "Syria", "Borders"],
        image="/media/image/2024/12/18/0f4b8a52-62d5-4f0e-9a51-7f1c3b6d2e90.jpg?width=1000",
        image_alt="A border crossing",
        caption="Trucks wait at the Masnaa border crossing between Lebanon and Syria. (AFP)",
        read_time=1, shares=4,
        listed=dict(),
        body=[
            "Lebanon and Syria signed a memorandum on Wednesday to demarcate their shared land border, ending years of stalled talks over the boundary.",
            "The two sides agreed to form joint technical committees that will survey the border and propose solutions for villages whose status is disputed.",
            H("Smuggling and security"),
            "Officials said the agreement would also help both countries fight smuggling, which has flourished along the porous frontier for decades.",
        ],
    ),
    dict(
        key="archive-iran-iaea", variant="full", postid=1903377,
        sitemap_only="monthly",
        path="/news/politics/iran-and-the-iaea-agree-on-a-new-inspection-framework",
        title="Iran and the IAEA agree on a new inspection framework",
        summary="Tehran and the UN nuclear watchdog settle on arrangements for inspections at declared sites after weeks of talks.",
        authors=["Karim Haddad"], source=None,
        published=bt(2025, 3, 11, 17, 5), modified=bt(2025, 3, 12, 9, 40),
        category="News", section="Politics", regions=["MENA", "Asia"],
        tags=["Iran", "IAEA", "Nuclear"],
        image="/media/image/2025/3/11/5b1c7f0e-8a47-4c2d-b3f6-2a9e4d1c8b73.jpg?width=1000",
        image_alt="The IAEA headquarters in Vienna",
        caption="The flag of the International Atomic Energy Agency in Vienna. (Reuters)",
        read_time=2, shares=9,
        listed=dict(),
        body=[
            "Iran and the International Atomic Energy Agency announced on Tuesday that they had agreed on a framework for inspections at Iran's declared nuclear sites.",
            "The agreement follows weeks of talks in Tehran and Vienna and sets out how inspectors will be given access and how cameras removed last year will be replaced.",
            H("Sanctions still in place"),
            "Iranian officials stressed that cooperation with the agency was a technical matter and did not change Tehran's position on Western sanctions.",
            "The agency's director general is expected to present the framework to the Board of Governors at its next meeting.",
        ],
    ),
    dict(
        key="archive-sudan-aid", variant="jsonld_og", postid=1907741,
        sitemap_only="monthly",
        path="/articles/analysis/sudan-aid-convoys-stalled-as-fighting-spreads-to-kordofan",
        title="Sudan aid convoys stalled as fighting spreads to Kordofan",
        summary="Humanitarian agencies say convoys have been blocked for weeks as the war reaches new regions of Sudan.",
        authors=["Dana Mroueh"], source=None,
        published=bt(2025, 5, 22, 8, 45), modified=None,
        category="Articles", section="Analysis", regions=[],
        tags=["Sudan", "Humanitarian Aid"],
        image="/media/image/2025/5/22/9e2d4c61-3b7a-4f85-a0c9-6d1e8f2b7a54.jpg?width=1000",
        image_alt="Aid trucks on a desert road",
        caption="Aid trucks wait on a road near El Obeid, Sudan. (AFP)",
        read_time=2, shares=6,
        listed=dict(),
        body=[
            "Aid convoys bound for Kordofan have been stuck for weeks as fighting between the army and the Rapid Support Forces spreads into the region.",
            "Humanitarian agencies say they have been unable to secure guarantees of safe passage from either side, leaving hundreds of thousands of people without food deliveries.",
            H("A widening war"),
            "The expansion of the fighting into Kordofan threatens the main supply routes between the capital and the west of the country.",
        ],
    ),
    dict(
        key="news-only-gaza-shelters", variant="full", postid=1921905,
        sitemap_only="news",
        path="/news/politics/aid-agencies-warn-of-winter-shortages-in-northern-gaza-shelt",
        title="Aid agencies warn of winter shortages in northern Gaza shelters",
        summary="UN agencies say tents, blankets and fuel are running out in northern Gaza as temperatures begin to drop.",
        authors=["Al Mayadeen English"], source="UN News",
        published=bt(2025, 10, 5, 18, 30), modified=None,
        category="News", section="Politics", regions=["Palestine"],
        tags=["Gaza", "Humanitarian Aid"],
        image="/media/image/2025/10/5/3c8e1a47-5d2b-4e96-b7f0-1a4d9c6e2b85.jpg?width=1000",
        image_alt="Tents in a Gaza shelter",
        caption="Displaced families in tents in northern Gaza. (UNRWA)",
        read_time=1, shares=12,
        listed=dict(),
        body=[
            "United Nations agencies warned on Sunday that shelters in northern Gaza were running out of tents, blankets and fuel as temperatures begin to drop.",
            "They said that restrictions on the entry of aid had left stocks at their lowest level in months.",
            H("Appeal for access"),
            "The agencies called for the immediate opening of additional crossings to allow winter supplies to reach the north of the Strip.",
        ],
    ),
]
