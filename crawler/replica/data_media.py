"""Truth data: Videos, Infographs and In Pictures pages.

Invented test content in the site's style, not real reporting. Field meanings are
documented in ``content.py``.
"""

from crawler.replica.model import FIGURE, H, RELATED, bt

ARTICLES = [
    dict(
        key="sudan-explainer", variant="full", postid=1921650,
        path="/videos/explained:-what-is-behind-the-escalation-in-sudan-s-el-fashe",
        title="Explained: What is behind the escalation in Sudan's El Fasher",
        summary="Al Mayadeen English explains why the siege of El Fasher has become the decisive battle of Sudan's war.",
        authors=["Al Mayadeen English"], source="Al Mayadeen English",
        published=bt(2025, 10, 2, 19, 0), modified=None,
        category="Videos", section="Explainers", regions=["Africa"],
        tags=["Sudan", "El Fasher", "Rapid Support Forces"],
        image="/media/image/2025/10/2/cea6889a-c382-41c9-b960-a30846bf6942.jpg?width=1000",
        image_alt=None, caption=None,
        video=dict(src="/media/video/2025/10/2/cea6889a-c382-41c9-b960-a30846bf6942.mp4",
                   duration="00:03:12", iso_duration="PT3M12S"),
        read_time=1, shares=22,
        listed=dict(home=True, section=1, regions=["africa"]),
        body=[
            "El Fasher, the last major city in Darfur outside the control of the Rapid Support Forces, has been under siege for more than a year.",
            "In this explainer, we look at why the city matters to both sides, what the siege means for the hundreds of thousands of civilians trapped inside, and how regional powers are shaping the war.",
            H("What is at stake"),
            "Control of El Fasher would give the RSF a hold over almost all of Darfur, raising fears of a de facto partition of Sudan.",
        ],
    ),
    dict(
        key="gaza-hospitals-infograph", variant="full", postid=1921310,
        path="/infographs/infographic:-gaza-s-hospitals-after-two-years-of-war",
        title="Infographic: Gaza's hospitals after two years of war",
        summary="Only a handful of Gaza's 36 hospitals remain partially functional after two years of bombardment and siege.",
        authors=["Al Mayadeen English"], source="WHO",
        published=bt(2025, 10, 1, 12, 0), modified=None,
        category="Infographs", section=None, regions=["Palestine"],
        tags=["Gaza", "Hospitals", "Infographic"],
        image="/media/image/2025/10/1/78b6b158-a625-4c81-a98e-3588e6d18ece.jpg?width=1000",
        image_alt="Infographic on Gaza's hospitals",
        caption="Status of Gaza's hospitals as of September 2025. Data: WHO, Gaza Ministry of Health. (Al Mayadeen English)",
        read_time=1, shares=33,
        listed=dict(section=1, regions=["palestine"]),
        body=[
            "Of the 36 hospitals that served the Gaza Strip before October 2023, the World Health Organization counts only a handful as partially functional.",
            "The infographic shows the status of each facility, the number of beds available and the attacks recorded on health workers.",
        ],
    ),
    dict(
        key="beirut-suburbs-pictures", variant="jsonld_og", postid=1921085,
        path="/in-pictures/in-pictures:-beirut-s-southern-suburbs-rebuild",
        title="In Pictures: Beirut's southern suburbs rebuild",
        summary="A year after the bombing campaign, residents of Dahiyeh clear rubble and reopen shops street by street.",
        authors=["Al Mayadeen English"], source="Al Mayadeen English",
        published=bt(2025, 9, 29, 11, 30), modified=None,
        category="In Pictures", section=None, regions=[],
        tags=["Lebanon", "Beirut", "Reconstruction"],
        image="/media/image/2025/9/29/8a9cbe86-ca97-49e2-90bb-68e03a11cfd6.jpg?width=1000",
        image_alt="Workers clear rubble in Dahiyeh",
        caption="Workers clear rubble from a destroyed building in Beirut's southern suburbs. (Al Mayadeen)",
        read_time=1, shares=18,
        listed=dict(section=1, regions=["mena"]),
        body=[
            "A year after the bombing campaign that flattened entire blocks, residents of Beirut’s southern suburbs are rebuilding street by street.",
            FIGURE("/media/image/2025/9/29/bc772aa4-7aa8-4f1d-9c9f-5589d2c4f2f0.jpg?width=1000",
                   "A shop owner repaints the front of his store on a main street of Haret Hreik. (Al Mayadeen)"),
            "Shops have reopened beside buildings that are still piles of concrete, and families have returned to apartments with plastic sheets in place of windows.",
            FIGURE("/media/image/2025/9/29/0ab3bd2a-e58e-4fa0-9efa-ca6ff6fde151.jpg?width=1000",
                   "Children play in a cleared lot where a residential building once stood. (Al Mayadeen)"),
            H("Reconstruction without a plan"),
            "Residents say most of the work has been financed by compensation from Hezbollah's institutions and by families themselves, while a national reconstruction plan has yet to be agreed.",
            RELATED("lebanese-army-exclusive"),
        ],
    ),
]
