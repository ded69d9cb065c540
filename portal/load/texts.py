"""The words of the load data set: agencies, names, and proposal texts put together from a few
hundred phrases, so pages, searches and exports read like the real thing at any size."""

AGENCIES = [
    ("MOH", "Ministry of Health", "ministry"),
    ("MOESD", "Ministry of Education and Skills Development", "ministry"),
    ("MOAL", "Ministry of Agriculture and Livestock", "ministry"),
    ("MOF", "Ministry of Finance", "ministry"),
    ("MOHA", "Ministry of Home Affairs", "ministry"),
    ("MOICE", "Ministry of Industry, Commerce and Employment", "ministry"),
    ("MOIT", "Ministry of Infrastructure and Transport", "ministry"),
    ("MOENR", "Ministry of Energy and Natural Resources", "ministry"),
    ("MOFAET", "Ministry of Foreign Affairs and External Trade", "ministry"),
    ("GOVTECH", "GovTech Agency", "agency"),
    ("RCSC", "Royal Civil Service Commission", "agency"),
    ("NSB", "National Statistics Bureau", "agency"),
    ("NLCS", "National Land Commission Secretariat", "agency"),
    ("NEC", "National Environment Commission", "agency"),
    ("BFDA", "Bhutan Food and Drug Authority", "agency"),
    ("TT", "Thimphu Thromde", "thromde"),
    ("PT", "Phuentsholing Thromde", "thromde"),
    ("PDA", "Punakha Dzongkhag Administration", "dzongkhag"),
    ("TDA", "Trashigang Dzongkhag Administration", "dzongkhag"),
    ("BDA", "Bumthang Dzongkhag Administration", "dzongkhag"),
    ("SDA", "Samtse Dzongkhag Administration", "dzongkhag"),
    ("MDA", "Mongar Dzongkhag Administration", "dzongkhag"),
    ("WDA", "Wangdue Phodrang Dzongkhag Administration", "dzongkhag"),
    ("TARAYANA", "Tarayana Foundation", "cso"),
    ("BCCI", "Bhutan Chamber of Commerce and Industry", "private"),
]

FIRST_NAMES = [
    "Pema", "Karma", "Sonam", "Dechen", "Tashi", "Deki", "Namgay", "Kinley", "Sangay", "Ugyen",
    "Jigme", "Yangchen", "Dorji", "Tshering", "Chimi", "Kezang", "Phuntsho", "Rinzin", "Tandin",
    "Wangmo", "Lhamo", "Norbu", "Pelden", "Choki", "Dawa", "Nima", "Thinley", "Yeshey", "Zangmo",
    "Gyeltshen", "Tenzin", "Passang", "Leki", "Samten", "Lobzang", "Dema", "Kuenga", "Bumpa",
]
LAST_NAMES = [
    "Choden", "Dorji", "Tshering", "Wangmo", "Namgyel", "Yangzom", "Wangchuk", "Lhamo", "Norbu",
    "Pelmo", "Tobgay", "Penjor", "Dema", "Zangpo", "Gyeltshen", "Rinchen", "Tenzin", "Jamtsho",
    "Lhendup", "Dukpa", "Phuntsho", "Tamang", "Gurung", "Rai", "Subba", "Sherpa", "Drukpa",
]
POSITIONS = [
    ("Programme Officer", "P3"), ("Chief Programme Officer", "P1"), ("ICT Officer", "P3"),
    ("Planning Officer", "P2"), ("Statistical Officer", "P4"), ("Engineer", "P3"),
    ("Health Officer", "P4"), ("Education Officer", "P3"), ("Economist", "P2"),
    ("Agriculture Officer", "P4"), ("Urban Planner", "P3"), ("Finance Officer", "P2"),
    ("Legal Officer", "P3"), ("Research Officer", "P4"), ("Environment Officer", "P3"),
]

SERVICES = [
    "birth registration", "rural health visits", "school meals", "land records", "business "
    "licences", "water supply", "farm extension advice", "waste collection", "bus timetables",
    "pension payments", "tax filing", "disaster alerts", "maternal care", "youth employment",
    "forest permits", "electricity connections", "vaccination reminders", "court notices",
    "citizen feedback", "procurement", "livestock insurance", "scholarship applications",
]
PLACES = [
    "Thimphu", "Paro", "Punakha", "Trashigang", "Mongar", "Bumthang", "Samtse", "Gelephu",
    "Phuentsholing", "Wangdue Phodrang", "Zhemgang", "Lhuentse", "Haa", "Dagana", "Tsirang",
]
METHODS = [
    "SMS reminders", "a shared digital register", "community facilitators", "a mobile service "
    "van", "open data dashboards", "a one-stop counter", "co-designed forms", "peer learning "
    "circles", "solar-powered kiosks", "a citizen panel", "voice messages in Dzongkha",
    "geotagged photos", "a simplified fee schedule", "village volunteers",
]
VERBS = ["Faster", "Simpler", "Fairer", "Greener", "Closer", "Smarter", "Clearer", "Safer"]

SENTENCES = {
    "summary": "A {months}-month experiment testing {method} for {service} in {place}.",
    "problem": ("Citizens in {place} wait too long for {service}; many travel twice and some "
                "give up. Records are kept separately by each agency."),
    "hypothesis": ("If {method} are used for {service}, the time a citizen waits falls by a "
                   "third within six months."),
    "success_criteria": ("Median waiting time for {service} in {place} below two weeks, measured "
                         "against the baseline; fewer than 5% of requests repeated."),
    "approach": ("Pilot {method} in two gewogs of {place}, compare with two similar gewogs, and "
                 "publish the results whatever they are."),
    "citizen_engagement": ("Citizens of {place} co-design the service in three workshops and "
                           "judge the pilot through a panel that meets monthly."),
    "expected_outcomes": ("Shorter waits for {service}, one shared record between agencies and "
                          "a tested way of working others can reuse."),
}

ROLES = ["Data analyst", "Field coordinator", "Service designer", "Evaluator", "Co-lead",
         "Community liaison", "Finance lead"]
BUDGET_LINES = {
    "staff": "Allowances for the pilot team",
    "equipment": "Devices and materials for the pilot sites",
    "travel": "Travel to the pilot gewogs",
    "engagement": "Citizen workshops and panel meetings",
    "services": "Printing, messaging and hosting",
    "evaluation": "Baseline and end-line survey",
    "other": "Contingency",
}
TAGS = ["digital", "health", "education", "agriculture", "climate", "gender", "youth", "rural",
        "data", "procurement", "local-government", "citizen-feedback"]

REVIEW_TO_APPLICANT = [
    "A clear hypothesis; the baseline needs more detail.",
    "Well argued; consider a smaller first pilot.",
    "The citizen engagement plan is convincing.",
    "The budget for evaluation looks thin for what you want to measure.",
    "Strong cross-agency team; the success criteria could be sharper.",
]
REVIEW_TO_PANEL = [
    "Comparable to an earlier pilot in another dzongkhag.",
    "Risky but the learning would be valuable either way.",
    "The team has delivered similar work before.",
    "Unclear who maintains the service after the pilot.",
]
OUTCOME_SUMMARY = {
    "succeeded": "The pilot met its success criteria: waits fell by {pct}% in the pilot gewogs.",
    "partly_succeeded": "Waits fell by {pct}%, short of the target; uptake was uneven.",
    "did_not_succeed": ("Waits did not fall: citizens kept using the old counters. We know why, "
                        "and the learning is shared."),
}
LEARNING_KIND = {"succeeded": "success", "partly_succeeded": "mixed",
                 "did_not_succeed": "failure"}
NEXT_STEP = {"succeeded": "scale_up", "partly_succeeded": "iterate", "did_not_succeed": "stop"}


def proposal_texts(rng) -> dict:
    """A proposal's title and long texts, as a civil servant would write them."""
    words = {
        "service": rng.choice(SERVICES), "place": rng.choice(PLACES),
        "method": rng.choice(METHODS), "months": rng.choice((6, 9, 12, 18, 24)),
    }
    title = f"{rng.choice(VERBS)} {words['service']} in {words['place']} through {words['method']}"
    texts = {name: sentence.format(**words) for name, sentence in SENTENCES.items()}
    return {"title": title[:200], "months": words["months"], **texts}
