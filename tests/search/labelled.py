"""The labelled set for similar work: earlier proposals, new proposals that should find one of
them, and non-matches (a new proposal sharing words with an earlier one about something else).

Each EARLIER entry: key, title, summary, problem. Each PAIR: title and summary of a new
proposal, and the key of the earlier proposal it should find (worded differently, as another
ministry would write it). Each NON_MATCH: a new proposal and the key of an earlier one that
shares words with it but is other work: it must not be shown as a likely duplicate.
"""

EARLIER = [
    ("sms-antenatal", "SMS reminders for antenatal check-ups",
     "Expecting mothers receive text message reminders before each antenatal visit at the "
     "basic health unit.",
     "Many pregnant women in remote gewogs miss their antenatal visits."),
    ("school-meals", "Local farmers supply school meals",
     "Central schools buy vegetables and eggs directly from nearby farmer groups for the "
     "school feeding programme.",
     "School kitchens import vegetables while farmers nearby cannot sell their harvest."),
    ("land-van", "Mobile van for land record services",
     "A van with a surveyor and a clerk visits gewog centres so landowners can update land "
     "records and get thram copies.",
     "Landowners travel to the dzongkhag office for every change to their land records."),
    ("birth-registration", "Birth registration at the hospital bedside",
     "Births are registered and the census record created before the mother leaves the "
     "hospital, with the certificate sent by post.",
     "Parents delay registering births, so children lack documents for school and health."),
    ("electricity-wallet", "Pay electricity bills with a mobile wallet",
     "Households pay their monthly electricity bill from a mobile banking wallet instead of "
     "queueing at the power office.",
     "Paying the electricity bill means a trip and a queue at the office each month."),
    ("solar-pumps", "Solar water pumps for dryland irrigation",
     "Solar-powered pumps lift river water to terraced fields so farmers can grow a winter "
     "crop.",
     "Dryland farms lie above the rivers and stay fallow in the dry season."),
    ("landslide-sensors", "Landslide early warning on the highway",
     "Soil moisture and tilt sensors on unstable slopes send alerts to road crews and "
     "drivers before a landslide blocks the highway.",
     "Monsoon landslides close the national highway and endanger travellers."),
    ("fire-volunteers", "Village volunteers watch for forest fires",
     "Trained volunteers patrol community forests in the dry season and report smoke by "
     "radio to the forest office.",
     "Forest fires spread before the forestry staff learn of them."),
    ("teacher-coaching", "Teachers coach each other in peer circles",
     "Teachers from neighbouring schools observe each other's lessons monthly and give "
     "structured feedback in small circles.",
     "Rural teachers get little professional development or feedback on teaching."),
    ("youth-apprentice", "Apprenticeships for unemployed youth in private firms",
     "Young jobseekers train for six months inside construction and hospitality companies, "
     "with a stipend shared by the firm and the labour ministry.",
     "Graduates cannot find jobs and firms say they lack practical skills."),
    ("elderly-visits", "Health workers visit elderly people at home",
     "Village health workers check blood pressure and medicines of older people living "
     "alone, once a month at home.",
     "Older people living alone miss check-ups and run out of medicines."),
    ("waste-segregation", "Households sort waste at source",
     "Families separate wet and dry waste with two bins, and the municipal truck collects "
     "each on its own day.",
     "Mixed waste fills the landfill and cannot be composted or recycled."),
    ("stray-dogs", "Vaccinate and sterilise stray dogs",
     "Mobile veterinary teams catch, vaccinate against rabies and sterilise street dogs, "
     "with volunteers feeding and tracking them.",
     "Stray dog numbers grow and dog bites and rabies cases worry residents."),
    ("licence-online", "Renew business licences online",
     "Traders renew their trade licence through an online form with payment, without "
     "visiting the regional trade office.",
     "Small traders close their shop for a day to renew a licence in person."),
    ("telemedicine", "Video consultations between remote clinics and specialists",
     "Health assistants at remote basic health units consult hospital doctors by video "
     "before referring a patient.",
     "Patients travel days to the referral hospital for a consultation."),
    ("grievance-hotline", "A toll-free hotline for public grievances",
     "Citizens call one toll-free number to report a complaint about any public service; "
     "each call is tracked until it is resolved.",
     "Complaints get lost between offices and nobody answers the caller."),
    ("bus-tracking", "Live location of city buses on phones",
     "GPS devices on city buses show passengers where the next bus is and when it arrives.",
     "Commuters wait at bus stops without knowing when the bus will come."),
    ("price-alerts", "Market price alerts for farmers",
     "Farmers receive daily wholesale prices of vegetables and cardamom by text message "
     "so they can choose when and where to sell.",
     "Middlemen pay farmers far below the market price."),
    ("water-testing", "Schools test their drinking water",
     "Students and teachers use simple kits to test the school's drinking water for "
     "bacteria every month and report results.",
     "Children fall ill from contaminated water in school taps."),
    ("reading-corners", "Reading corners in rural primary schools",
     "Each classroom gets a shelf of Dzongkha and English storybooks and a daily reading "
     "hour.",
     "Rural children have few books and read below their grade."),
    ("student-helpline", "Counselling helpline for students",
     "Trained counsellors answer a phone and chat helpline for students facing stress, "
     "bullying or depression.",
     "Students with mental health problems have nobody to talk to."),
    ("tax-kiosks", "Help desks for filing personal income tax",
     "Staff at kiosks in town help salaried workers and small businesses file their "
     "personal income tax return online.",
     "Many taxpayers file late or wrongly because the forms are hard."),
    ("electric-fencing", "Electric fences against crop raiding by wild animals",
     "Solar electric fencing around village fields keeps wild boar and elephants from "
     "destroying crops.",
     "Wild animals destroy a large share of the harvest in villages near forests."),
    ("weaving-online", "Women weavers sell textiles online",
     "A cooperative of women weavers sells handwoven kira and gho through an online shop "
     "with photos and courier delivery.",
     "Weavers depend on a few shops that pay little for their textiles."),
    ("accessible-buildings", "Audit public buildings for wheelchair access",
     "People with disabilities audit government buildings for ramps, toilets and signs, "
     "and the audit sets the repair list.",
     "People using wheelchairs cannot enter many offices."),
    ("speed-cameras", "Speed cameras on dangerous road stretches",
     "Automatic cameras record speeding vehicles on accident-prone stretches and fines are "
     "sent to the owner.",
     "Speeding causes most road accidents and deaths."),
    ("hospital-tokens", "Token numbers for hospital outpatient queues",
     "Patients take a numbered token at the outpatient desk and a screen calls each number, "
     "so nobody stands in line.",
     "Patients stand in long lines at the hospital from early morning."),
    ("medicine-stock", "Track essential medicine stock in health centres",
     "Health centres record stock of essential medicines on a tablet so the district store "
     "resupplies before they run out.",
     "Clinics run out of essential drugs without warning."),
    ("flood-drones", "Drones map flood risk along rivers",
     "Drone surveys produce elevation maps of riverbanks to mark flood zones before new "
     "houses are built.",
     "Houses are built on riverbanks that flood in the monsoon."),
    ("civil-elearning", "E-learning courses for civil servants",
     "Civil servants take short online courses on writing, finance and ethics, with "
     "certificates counted in their performance records.",
     "Training means travelling to the capital and leaving the office for weeks."),
    ("e-tendering", "Electronic tendering for public procurement",
     "All public works tenders are published, submitted and opened on an electronic "
     "procurement portal.",
     "Paper tenders are slow and open to favouritism."),
    ("water-users", "Village water user groups maintain their supply",
     "Each village forms a water user association that collects a small fee and repairs "
     "pipes and tanks itself.",
     "Rural water schemes break down and wait months for repair."),
    ("fortified-rice", "Fortified rice in school feeding",
     "Schools cook rice fortified with iron and vitamins to reduce anaemia among boarding "
     "students.",
     "Many boarding students are anaemic."),
    ("cold-chain", "Monitor vaccine fridge temperatures",
     "Sensors in vaccine refrigerators at health centres send an alert when the temperature "
     "leaves the safe range.",
     "Vaccines spoil when fridges fail during power cuts."),
    ("homestays", "Booking platform for farm homestays",
     "Tourists find and book registered farmhouse homestays on one website that pays the "
     "host families directly.",
     "Homestay families get few guests and depend on agents."),
    ("extension-video", "Farming advice videos in local languages",
     "Extension officers record short videos on crop care in Dzongkha and Sharchop that "
     "farmers watch on their phones.",
     "Extension officers cannot visit every farm often enough."),
    ("air-sensors", "Air quality sensors in towns",
     "Low-cost sensors measure dust and smoke in towns and publish the air quality index "
     "each hour.",
     "Residents do not know when the air is unhealthy."),
    ("rental-mediation", "Tenancy registry and rent dispute mediation",
     "Landlords register rental agreements and a mediator settles rent disputes before "
     "they reach court.",
     "Tenants face sudden rent rises and evictions without recourse."),
    ("driving-test", "Book the driving test online",
     "Learners book their driving test slot online and get the result by message.",
     "Learners queue for days to get a driving test slot."),
    ("workplace-creches", "Day care centres at workplaces",
     "Ministries open day care centres for young children of staff next to the office.",
     "Young mothers leave the civil service for lack of child care."),
    ("dzongkha-forms", "Dzongkha translation of government forms",
     "Every citizen-facing form is offered in Dzongkha with plain wording tested with "
     "villagers.",
     "Citizens who read only Dzongkha cannot fill in English forms."),
    ("alcohol-harm", "Community action against alcohol harm",
     "Village committees run awareness sessions, support groups and limits on sale hours "
     "to cut harmful drinking.",
     "Alcohol-related liver disease is a leading cause of death."),
    ("growth-monitoring", "Growth monitoring app for young children",
     "Health workers record children's height and weight on an app that flags stunting "
     "for follow-up.",
     "Stunting in young children is noticed too late."),
    ("court-efiling", "File court cases electronically",
     "Lawyers and citizens file cases and documents with the court online and follow the "
     "hearing schedule.",
     "Court filing needs many visits and paper copies."),
    ("camera-traps", "Herders and camera traps watch snow leopards",
     "Yak herders set camera traps and are compensated for livestock lost to snow "
     "leopards.",
     "Herders kill snow leopards that take their yaks."),
]

PAIRS = [
    ("Text messages remind pregnant women of prenatal visits",
     "Mothers-to-be get a text on their phone two days before each antenatal appointment.",
     "sms-antenatal"),
    ("School kitchens buy produce from nearby farms",
     "Schools purchase vegetables and eggs from local farmer groups for school meals.",
     "school-meals"),
    ("Land records updated by a travelling service van",
     "A mobile team visits villages so landowners can change land records without going "
     "to the dzongkhag.", "land-van"),
    ("Register newborns before discharge",
     "The hospital registers each birth in the census so parents leave with the "
     "registration done.", "birth-registration"),
    ("Mobile banking payment of power bills",
     "Customers settle the electricity bill from their phone wallet.", "electricity-wallet"),
    ("Irrigating terraces with solar pumping",
     "Solar pumps raise water from the river to dry fields for a second crop.",
     "solar-pumps"),
    ("Sensors warn of slope failure on national roads",
     "Tilt and moisture sensors give road users an early warning of landslides.",
     "landslide-sensors"),
    ("Community fire patrols in the dry season",
     "Volunteers from the village patrol the forest and report fires by radio.",
     "fire-volunteers"),
    ("Peer observation of lessons among teachers",
     "Teachers visit colleagues' classrooms and give feedback in monthly coaching circles.",
     "teacher-coaching"),
    ("On-the-job training for young jobseekers",
     "Unemployed youth are placed as apprentices in private companies with a stipend.",
     "youth-apprentice"),
    ("Monthly home checks for older people living alone",
     "Village health workers visit elderly people at home to check their blood pressure "
     "and medicines.", "elderly-visits"),
    ("Two bins for wet and dry household waste",
     "Households segregate waste and the municipality collects wet and dry waste on "
     "separate days.", "waste-segregation"),
    ("Rabies vaccination and neutering of street dogs",
     "Veterinary teams vaccinate stray dogs and sterilise them to reduce dog bites.",
     "stray-dogs"),
    ("Trade licence renewal without an office visit",
     "Shopkeepers renew the trade licence online and pay on the same form.",
     "licence-online"),
    ("Specialist advice by video for remote health units",
     "Doctors at the referral hospital see patients by video consultation from remote "
     "basic health units.", "telemedicine"),
    ("One free number for citizens' complaints",
     "A toll-free complaint line where every grievance about public services is tracked "
     "to resolution.", "grievance-hotline"),
    ("Real-time bus arrival times for commuters",
     "GPS on city buses lets passengers see on their phone when the bus arrives.",
     "bus-tracking"),
    ("Daily crop price messages to growers",
     "Growers get wholesale vegetable and cardamom prices by SMS to sell at a fair price.",
     "price-alerts"),
    ("Students check the safety of school tap water",
     "Schools use testing kits for bacteria in drinking water each month.",
     "water-testing"),
    ("Storybook shelves in village classrooms",
     "Rural primary classrooms get storybooks in Dzongkha and English and a reading hour.",
     "reading-corners"),
    ("Phone and chat counselling for stressed students",
     "A helpline where counsellors support students facing bullying, stress or "
     "depression.", "student-helpline"),
    ("Assisted filing of income tax returns",
     "Help desks in towns guide taxpayers through filing their personal income tax "
     "online.", "tax-kiosks"),
    ("Protecting village fields from wild boar and elephants",
     "Solar electric fences stop wild animals raiding crops near the forest.",
     "electric-fencing"),
    ("An online shop for handwoven textiles",
     "Women's weaving cooperative sells kira and gho online with courier delivery.",
     "weaving-online"),
    ("Wheelchair accessibility checks of government offices",
     "People with disabilities audit public buildings for ramps and accessible toilets.",
     "accessible-buildings"),
    ("Automatic enforcement of speed limits",
     "Cameras catch speeding vehicles on accident black spots and owners receive the fine.",
     "speed-cameras"),
    ("Numbered tokens end outpatient lines",
     "A token and display system calls outpatients in turn so they need not queue.",
     "hospital-tokens"),
    ("Avoiding stock-outs of essential drugs in clinics",
     "Clinics record medicine stock on tablets so the district store resupplies in time.",
     "medicine-stock"),
    ("Mapping riverbank flood zones with drones",
     "Drone elevation surveys mark flood risk areas before construction is allowed.",
     "flood-drones"),
    ("Online training for public servants",
     "Short online courses with certificates for civil servants on finance, writing and "
     "ethics.", "civil-elearning"),
    ("Publishing and opening tenders online",
     "Public works tenders are submitted and opened on an electronic procurement system.",
     "e-tendering"),
    ("Villages repair their own water pipes",
     "Water user associations collect fees to maintain rural water supply pipes and "
     "tanks.", "water-users"),
    ("Iron-fortified rice for boarding schools",
     "Boarding schools serve fortified rice to reduce anaemia in students.",
     "fortified-rice"),
    ("Alerts when vaccine refrigerators get too warm",
     "Temperature sensors in vaccine fridges send alerts during power cuts.",
     "cold-chain"),
    ("Tourists book village homestays directly",
     "A website lists registered farmhouse homestays and pays host families.",
     "homestays"),
    ("Crop care videos for farmers' phones",
     "Extension officers make short videos in Dzongkha and Sharchop on crop care.",
     "extension-video"),
    ("Hourly air quality index for towns",
     "Dust and smoke sensors publish air quality in towns every hour.",
     "air-sensors"),
    ("Mediation of disputes between landlords and tenants",
     "Rental agreements are registered and rent disputes mediated out of court.",
     "rental-mediation"),
    ("Online booking of driving test slots",
     "Learner drivers choose a test slot online and receive their result by message.",
     "driving-test"),
    ("Child care next to the ministry for staff",
     "Day care for young children of civil servants at the workplace so mothers keep "
     "working.", "workplace-creches"),
    ("Government forms in plain Dzongkha",
     "Translate citizen forms into Dzongkha with plain wording tested in villages.",
     "dzongkha-forms"),
    ("Village committees reduce harmful drinking",
     "Awareness sessions, support groups and limited sale hours to cut alcohol harm.",
     "alcohol-harm"),
    ("Detect stunting early with an app",
     "Health workers record the height and weight of young children and follow up "
     "stunting.", "growth-monitoring"),
    ("Electronic filing of cases with the courts",
     "Citizens and lawyers file court documents online and follow hearings.",
     "court-efiling"),
    ("Compensating yak herders for snow leopard losses",
     "Camera traps and compensation for livestock so herders stop killing snow leopards.",
     "camera-traps"),
]

NON_MATCHES = [
    ("SMS reminders for tax filing deadlines",
     "Taxpayers receive a text message a week before the income tax deadline.",
     "sms-antenatal"),
    ("Solar street lights for town roads",
     "Solar-powered street lights on town roads make evening walks safer.",
     "solar-pumps"),
    ("School uniforms sewn by local tailors",
     "Schools order student uniforms from local tailors instead of importing them.",
     "school-meals"),
    ("Drones deliver medicines to remote clinics",
     "Drones fly medicine parcels from the district hospital to remote health units.",
     "flood-drones"),
    ("Online booking of hospital specialist appointments",
     "Patients book a specialist appointment at the referral hospital on a website.",
     "driving-test"),
    ("Mobile van for cervical cancer screening",
     "A van with a nurse visits gewogs to screen women for cervical cancer.",
     "land-van"),
    ("Cameras at border gates to speed customs checks",
     "Number plate cameras at the border gate record trucks for customs clearance.",
     "speed-cameras"),
    ("Water-saving taps in government offices",
     "Offices install taps that cut water use in toilets and kitchens.",
     "water-users"),
    ("Text message alerts for school exam results",
     "Students receive their board exam results by text message.",
     "price-alerts"),
    ("Peer support circles for new civil servants",
     "New recruits meet monthly in peer circles to share problems at work.",
     "teacher-coaching"),
]
