//! Integration tests of entity resolution over the built-in gazetteer.

use havenwatch_extract::fold::FoldedText;
use havenwatch_extract::{Gazetteer, MentionExtractor, MentionTarget};
use std::collections::HashMap;

fn extractor() -> MentionExtractor {
    MentionExtractor::new(&Gazetteer::builtin())
}

/// Resolves `name` alone, returning the entity id.
fn lookup(x: &MentionExtractor, name: &str) -> Option<String> {
    let r = x.resolver();
    r.lookup(name).map(|i| r.entity(i).id.clone())
}

/// The mentions of a text as `surface -> id [rule]` lines, for snapshots.
fn describe(x: &MentionExtractor, text: &str) -> String {
    let a = x.analyze(text);
    let mut out = String::new();
    for m in &a.mentions {
        let id = match m.target {
            MentionTarget::Known(i) => x.resolver().entity(i).id.clone(),
            MentionTarget::Discovered(d) => a.discovered[d].id.clone(),
        };
        out.push_str(&format!(
            "{} -> {} [{}]\n",
            &text[m.start..m.end],
            id,
            m.rule.as_str()
        ));
    }
    out
}

#[test]
fn every_alias_of_the_builtin_gazetteer_resolves_to_its_entity() {
    let g = Gazetteer::builtin();
    let x = MentionExtractor::new(&g);
    let r = x.resolver();
    let stop: std::collections::HashSet<String> =
        g.stop_keys().into_iter().map(|k| r.key(&k)).collect();
    // Which entities claim each folded name: a name two entities share resolves to one of them.
    let mut claimants: HashMap<String, Vec<&str>> = HashMap::new();
    for e in g.entries() {
        for n in e.names() {
            claimants.entry(r.key(n)).or_default().push(&e.id);
        }
    }
    let mut checked = 0;
    let mut folded = FoldedText::default();
    let mut found = Vec::new();
    for e in g.entries() {
        for name in e.names() {
            let key = r.key(name);
            if key.is_empty() || stop.contains(&key) {
                continue;
            }
            let got = lookup(&x, name)
                .unwrap_or_else(|| panic!("alias `{name}` of {} does not resolve", e.id));
            let owners = &claimants[&key];
            assert!(
                got == e.id || (owners.len() > 1 && owners.contains(&got.as_str())),
                "alias `{name}` of {} resolves to {got}",
                e.id
            );
            // And in running text, as the whole of a mention.
            let text = format!("Reports said {name} was active.");
            r.find_all(&text, &mut folded, &mut found);
            assert!(
                found.iter().any(|m| r.key(&text[m.start..m.end]) == key
                    && (r.entity(m.entity).id == e.id || owners.len() > 1)),
                "alias `{name}` of {} not found in running text",
                e.id
            );
            checked += 1;
        }
    }
    assert!(checked > 600, "only {checked} aliases checked");
}

#[test]
fn transliteration_variants_and_acronyms_of_the_issue_resolve() {
    let x = extractor();
    for name in [
        "Tehrik-e Taliban Pakistan",
        "Tehreek-e-Taliban Pakistan",
        "Tehrik-i-Taliban Pakistan",
        "Tehreek-i-Taliban Pakistan",
        "TTP",
        "the Pakistani Taliban",
    ] {
        assert_eq!(lookup(&x, name).as_deref(), Some("un:QDe.132"), "{name}");
    }
    for name in ["Al-Qaida", "al-Qaeda", "Al Qaeda", "AL-QAIDA", "AQ"] {
        assert_eq!(lookup(&x, name).as_deref(), Some("un:QDe.004"), "{name}");
    }
    for name in [
        "ISIL-K",
        "ISKP",
        "IS-K",
        "Islamic State Khorasan Province",
        "Islamic State Khurasan Province",
    ] {
        assert_eq!(lookup(&x, name).as_deref(), Some("un:QDe.161"), "{name}");
    }
}

/// The world layer: every state, the places and groups of regions beyond the curated core,
/// demonyms for their governments and lands; a longer place wins over a state inside it.
#[test]
fn states_places_and_groups_of_other_regions_resolve() {
    let x = extractor();
    for (name, id) in [
        ("Benin", "state:benin"),
        ("Ivory Coast", "state:cote-divoire"),
        ("Côte d'Ivoire", "state:cote-divoire"),
        ("Beninese troops", "state:benin"),
        ("Togolese soil", "state:togo"),
        ("Nigerian army", "state:nigeria"),
        ("Iraqi Ministry of Defence", "state:iraq"),
        ("Iraqi defence ministry", "state:iraq"),
        ("Guinea-Bissau", "state:guinea-bissau"),
        ("Equatorial Guinea", "state:equatorial-guinea"),
        ("Lake Chad", "place:lake-chad-basin"),
        ("Niger State", "place:niger-state"),
        ("El Fashir", "place:el-fasher"),
        ("Tillaberi", "place:tillaberi"),
        ("Rapid Support Forces", "hw:rsf"),
        ("RSF", "hw:rsf"),
        ("Syrian Democratic Forces", "hw:sdf"),
        ("Hashd al-Shaabi", "hw:pmf"),
        ("Qassam Brigades", "hw:hamas"),
        ("March 23 Movement", "un:CDe.006"),
    ] {
        assert_eq!(lookup(&x, name).as_deref(), Some(id), "{name}");
    }
    // In running text the longest name wins: the lake, not the state; the Nigerian state, not
    // the country; a lower-case "rsf" is no acronym.
    // A demonym and its noun are one mention; an acronym demonym needs its capitals.
    let text = "Nigerian army units and US forces pushed on; the envoy told us forces would stay.";
    let found: Vec<(String, String)> = x
        .analyze(text)
        .mentions
        .iter()
        .filter_map(|m| match m.target {
            MentionTarget::Known(i) => Some((
                text[m.start..m.end].to_string(),
                x.resolver().entity(i).id.clone(),
            )),
            MentionTarget::Discovered(_) => None,
        })
        .collect();
    assert_eq!(
        found,
        [
            ("Nigerian army".to_string(), "state:nigeria".to_string()),
            ("US forces".to_string(), "state:united-states".to_string()),
        ]
    );
    let text = "Fighters crossed Lake Chad into Niger State, rsf said.";
    let ids: Vec<String> = x
        .analyze(text)
        .mentions
        .iter()
        .filter_map(|m| match m.target {
            MentionTarget::Known(i) => Some(x.resolver().entity(i).id.clone()),
            MentionTarget::Discovered(_) => None,
        })
        .collect();
    assert_eq!(ids, ["place:lake-chad-basin", "place:niger-state"]);
}

/// Places no gazetteer knows, named by a place noun (fictional names): with the noun as part
/// of the name, after a locative preposition, after "the town of"; not "Islamic State ...
/// Province", "Secretary of State", a known place with its noun, or a headline's words.
#[test]
fn places_named_by_a_place_noun_snapshot() {
    let text = "Gunmen stormed a market in Dallo district on Monday. The group also holds \
        ground in the Wesso Hills and around the town of Marwa, and its fighters crossed into \
        Ombe Province. Islamic State Vardo Province claimed it. The Secretary of State spoke. \
        Kebbi State officials said Lakurawa attacked. Dallo remains tense.\n\
        RISING TENSIONS IN NORTHERN DISTRICT AS MILITANTS ADVANCE\n\
        Militants Advance On Remote District";
    insta::assert_snapshot!(describe(&extractor(), text));
}

#[test]
fn a_text_that_defines_an_acronym_for_a_known_group_resolves_its_later_uses() {
    let x = extractor();
    let text = "Jama'at Nusrat al-Islam wal-Muslimin (JNSIM) struck twice. JNSIM later withdrew.";
    let a = x.analyze(text);
    let ids: Vec<String> = a
        .mentions
        .iter()
        .map(|m| match m.target {
            MentionTarget::Known(i) => x.resolver().entity(i).id.clone(),
            MentionTarget::Discovered(d) => a.discovered[d].id.clone(),
        })
        .collect();
    assert_eq!(ids, vec!["un:QDe.159", "un:QDe.159", "un:QDe.159"], "{a:?}");
}

#[test]
fn mentions_of_tricky_text_snapshot() {
    // Fictional text except for the real group names, which come from the UN list.
    let text = "The Pakistani Taliban (TTP) and al-Qaeda's regional branch met in Kunar. \
        WHY IS THIS NEWS? Officials said the Coastal Martyrs Brigade (CMB), a little-known militant \
        outfit, and fighters of the Free Hills Liberation Front attacked the Pakistan Army in \
        Bajaur; the CMB denied it. Sadr Khel, an armed group active in the hills, was blamed too. \
        Ghost Valley Movement in the Ghost Valley took no part. The Base of the operation, \
        officials said, was in Tehreek-i-Taliban Pakistan country near ISIL-K positions.";
    insta::assert_snapshot!(describe(&extractor(), text));
}

mod claims {
    use havenwatch_extract::claims::ClaimExtractor;
    use havenwatch_extract::evaluate::mention_refs;
    use havenwatch_extract::{Gazetteer, MentionExtractor};
    use std::path::Path;

    fn demo_extractors() -> (MentionExtractor, ClaimExtractor) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut g = Gazetteer::builtin();
        let demo = std::fs::read_to_string(root.join("demo/gazetteer.toml")).unwrap();
        g.add_toml("demo/gazetteer.toml", &demo).unwrap();
        let mentions = MentionExtractor::new(&g);
        let claims = ClaimExtractor::for_resolver(mentions.resolver());
        (mentions, claims)
    }

    /// Claims as reviewable lines: proposition [qualifiers] -- source (chain), modality.
    fn describe(text: &str, publisher: &str) -> String {
        let (mentions, claims) = demo_extractors();
        let refs = mention_refs(&mentions, text);
        let mut out = String::new();
        for c in claims.extract(text, Some(publisher), &refs) {
            let q = serde_json::to_string(&c.qualifiers).unwrap();
            let chain: Vec<&str> = c.via.iter().map(|s| s.name.as_str()).collect();
            out.push_str(&format!(
                "{}{} {} {} {} -- {} [{}] {}\n",
                if c.negated { "NOT " } else { "" },
                c.subject.name,
                c.predicate,
                c.object.as_ref().map(|o| o.name.as_str()).unwrap_or("-"),
                if q == "{}" { String::new() } else { q },
                c.source.name,
                chain.join(" > "),
                c.modality,
            ));
        }
        out
    }

    /// Hand-written tricky cases (fictional): nested attribution, denial, negation,
    /// coordination, ranges, passives, parentheticals, hedges.
    #[test]
    fn tricky_cases_snapshot() {
        let text = "\
The Halden Courier reported that the UN Panel of Experts, citing assessments by the Kestrian National Security Bureau, indicates that the Tarvik Liberation Front could field up to 3,000 fighters. \
The Varenian Interim Authority has not taken sufficient action against the TLF, the Panel said. \
Kestria accused Jamaat Nur al-Jabal of training TLF fighters, but a JNJ spokesman denied that the group supplies weapons to the TLF. \
The TLF, Jamaat Nur al-Jabal and the Coastal Martyrs Brigade operate in Osmar Province and Lenz District. \
Jamaat Nur al-Jabal, a group the Interim Authority reportedly tolerates, is believed to have between 400 and 600 members. \
A police post in Dravna was attacked by the Serrat Mountain Army on Monday, killing two officers. \
There is no evidence that Kestria supports the Serrat Mountain Army, according to the Halden Institute.";
        insta::assert_snapshot!(describe(text, "The Halden Courier"));
    }

    /// Clause patterns (fictional): allies in a fight, a nominal trigger whose owner follows
    /// it, lists of places with head nouns and possessors, "in the area" for the place named
    /// last, a parenthetical between source and cue, a group's claim of responsibility as
    /// reported by another, a hedge far before the trigger (none) and close to it.
    #[test]
    fn clause_patterns_snapshot() {
        let text = "\
The Coastal Martyrs Brigade fought side by side with the TLF against the Serrat Mountain Army. \
A defector said he trained at a camp run by Jamaat Nur al-Jabal in Osmar Province. \
The TLF remains active in Osmar Province and Kestria's Lenz District. \
The Serrat Mountain Army is strong in Dravna, and the group keeps safe houses in the area. \
The Serrat Mountain Army (SMA) said it operates in Lenz District. \
The Coastal Martyrs Brigade claimed responsibility for the attack in Dravna, according to the Halden Institute. \
The Jamaat Nur al-Jabal lost the ground it wants in Osmar Province, eighteen years on from its founding and long after it fought the Serrat Mountain Army there. \
The Jamaat Nur al-Jabal may attack Dravna.";
        insta::assert_snapshot!(describe(text, "The Halden Courier"));
    }

    /// Patterns of reporting from any region (fictional): a charge denied by another party,
    /// a directive inside a report, "is even said to", "states" as a noun after places, the
    /// group an anaphor names before a count, a capital as a place and as its government,
    /// giving without a kind of support, expansion and taxes as presence; a speaker speaking of
    /// itself, casualties (no strength), a state's base (no group's), "done little to", a blind
    /// eye, allegiance (an act, not a report), receiving a kind of support, taking from;
    /// "Member States" (a name, not a cue), a clash, "the militant group" as a source;
    /// "reported that, according to Y," (Y inside the report), "has denied" (a denial),
    /// failing to prevent incursions; "dismissed reports that" (no reporter named), "it" as
    /// the speaker of a rejected claim, ", which W denies", "whether" (speculative); claims
    /// of responsibility in several forms (a group's own report of its attack is alleged), a
    /// vow (a threat), a relative "which" after an attack (no group), "no group"; a backer in
    /// a parenthetical (not the subject), a second verb after "and" (its names not the
    /// first verb's objects), allowing (shelter).
    #[test]
    fn reporting_patterns_snapshot() {
        let text = "\
Kestrian officials accused the Interim Authority of arming the TLF, a charge the Interim Authority denied. \
Although the Interim Authority had told TLF commanders to leave Dravna, many stayed, the Panel said. \
The Interim Authority is even said to have given Jamaat Nur al-Jabal a list of TLF members. \
The TLF has carried out attacks in Osmar and Lenz states, officials said. \
The Serrat Mountain Army is small. Analysts say the group numbers between 300 and 400 fighters, while the TLF is larger. \
The TLF continues to expand from the Tarvik Valley into Osmar Province and collects taxes across Lenz District. \
The Kestrian army said it killed 30 TLF fighters in Lenz. \
The Serrat Mountain Army attacked a military base in Dravna. \
Critics say the Interim Authority has done little to curb the TLF. \
Kestria accuses the Interim Authority of turning a blind eye to JNJ fighters sheltering in Osmar. \
The TLF has pledged allegiance to Jamaat Nur al-Jabal and receives weapons from Kestria. \
The TLF seized the town from the Interim Authority. \
Member States noted that TLF and JNJ fighters clashed in Lenz. \
Kestria accused the Serrat Mountain Army of attacking Dravna, an allegation the militant group rejected. \
Kestria Today reported that, according to the Halden Institute, the TLF has between 200 and 300 fighters. \
The Interim Authority has denied that JNJ operates in Osmar. \
Kestria has not been able to prevent TLF incursions into Lenz, according to local sources. \
The Interim Authority dismissed reports that JNJ controls Dravna. \
The Interim Authority rejected claims that it had failed to act against JNJ. \
Kestria accused the Interim Authority of backing the TLF, which the Interim Authority denies. \
It remains unclear whether the TLF receives weapons from Kestria. \
The TLF said it was behind the attack on the police post in Dravna. \
The Serrat Mountain Army took credit for the ambush near Lenz. \
JNJ has claimed the bombing in Port Halden. \
The TLF vowed to attack Kestria again. \
The suicide attack in Osmar, which killed 12 officers, was claimed by the Serrat Mountain Army. \
No group has claimed responsibility for the blast in Dravna. \
Kestria, backed by the Interim Authority, killed a TLF commander near Lenz. \
The Interim Authority expelled foreign advisers and turned to JNJ for help against the TLF. \
The Interim Authority continues to allow JNJ fighters to live in Dravna. \
The Interim Authority holds hundreds of TLF detainees in camps near Dravna.";
        insta::assert_snapshot!(describe(text, "Meridian Post"));
    }

    /// "The report" in a publisher's own brief ("our assessment") is the publisher's; with
    /// no such voice and nothing named before, it stays "report".
    #[test]
    fn the_report_of_a_publisher_that_speaks_of_itself() {
        let own = describe(
            "Our assessment is that the TLF is weakening. \
             The Serrat Mountain Army operates in Dravna, the report argues.",
            "The Halden Courier",
        );
        assert!(
            own.contains(
                "Serrat Mountain Army operates_in Dravna  -- The Halden Courier [] asserted"
            ),
            "{own}"
        );
        let cited = describe(
            "The Serrat Mountain Army operates in Dravna, the report argues.",
            "The Halden Courier",
        );
        assert!(
            cited.contains("operates_in Dravna  -- report [report] reported"),
            "{cited}"
        );
    }

    /// "is based in", "was relocated to": a participle with its place says where the group
    /// is, not who did what to whom; "the report" is no armed group's, even when the group's
    /// own claim came last.
    #[test]
    fn where_a_group_is_based_and_whose_report_it_is() {
        let got = describe(
            "The UN Panel of Experts on Varenia published its report on Monday. \
             The Tarvik Liberation Front claimed the bombing in Lenz District. \
             Jamaat Nur al-Jabal is based in Dravna, the report said. \
             The Tarvik Liberation Front leadership was relocated to Port Halden.",
            "The Halden Courier",
        );
        assert!(
            got.contains(
                "Jamaat Nur al-Jabal operates_in Dravna  -- UN Panel of Experts on Varenia"
            ),
            "{got}"
        );
        assert!(
            got.contains("Tarvik Liberation Front operates_in Port Halden  --"),
            "{got}"
        );
    }

    /// The way monitoring reports write: "One Member State reported that ... had relocated
    /// some of its fighters to ...", "Another Member State assessed that the group's strength
    /// was between ...": one generic source, "member state", for both.
    #[test]
    fn what_member_states_report_and_assess() {
        let got = describe(
            "One Member State reported that the Tarvik Liberation Front had relocated some of its fighters to Dravna. \
             Another Member State assessed that the group's strength was between 4,000 and 6,000.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front operates_in Dravna  -- member state [member state] reported"),
            "{got}"
        );
        assert!(
            got.contains("Tarvik Liberation Front has_strength - {\"low\":4000,\"high\":6000,\"unit\":\"fighters\"} -- member state [member state] assessed"),
            "{got}"
        );
    }

    /// The UN's reports are written by the body that reports on the group's sanctions list:
    /// "UN experts" and "a UN report" on a group of the Somalia list are the Panel of Experts
    /// on Somalia's, on a group of the ISIL and Al-Qaida list the Monitoring Team's; a passive
    /// "documented by" names its reporter. (Invented sentences; the groups are real listed
    /// ones, since the lists are the point.)
    #[test]
    fn the_un_body_that_reports_on_a_listed_group() {
        let got = describe(
            "UN experts said al-Shabaab collects taxes in Jubaland. \
             A UN report said Al-Qaida gives the TTP training. \
             Kestria's backing of Jamaat Nur al-Jabal was documented by the Halden Institute. \
             ISWAP has up to 5,000 fighters, according to a recent UN assessment.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Islamic State West Africa Province has_strength - {\"low\":0,\"high\":5000,\"unit\":\"fighters\"} -- Analytical Support and Sanctions Monitoring Team [Analytical Support and Sanctions Monitoring Team] assessed"),
            "{got}"
        );
        assert!(
            got.contains("Al-Shabaab operates_in Jubaland  -- Panel of Experts on Somalia"),
            "{got}"
        );
        assert!(
            got.contains("Al-Qaida supports Tehrik-e Taliban Pakistan {\"support_type\":[\"training\"]} -- Analytical Support and Sanctions Monitoring Team"),
            "{got}"
        );
        assert!(
            got.contains("Kestria supports Jamaat Nur al-Jabal {\"support_type\":[\"unspecified\"]} -- Halden Institute for Conflict Studies [Halden Institute for Conflict Studies] reported"),
            "{got}"
        );
    }

    /// "X affiliate Y" ties Y to X; "could strike targets in" is a threat; a base a group
    /// attacked is not its own; "military sources" of a state speak for it.
    #[test]
    fn affiliates_threats_and_bases_under_attack() {
        let got = describe(
            "Jamaat Nur al-Jabal affiliate the Tarvik Liberation Front attacked a base in Dravna. \
             The Tarvik Liberation Front could still strike targets in Nigeria, according to Nigerian military sources.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Jamaat Nur al-Jabal cooperates_with Tarvik Liberation Front"),
            "{got}"
        );
        assert!(
            got.contains("Tarvik Liberation Front attacks Dravna"),
            "{got}"
        );
        assert!(!got.contains("maintains_infrastructure"), "{got}");
        assert!(
            got.contains(
                "Tarvik Liberation Front threatens Nigeria  -- Nigeria [Nigeria] speculative"
            ),
            "{got}"
        );
    }

    /// Denials of a party's own acts: a gerund after the denial ("denies sheltering"), a
    /// denial coordinated with an earlier verb ("hosted ... but denies"), and a party saying
    /// it does not do a thing ("insist they have no links": denied, not negated); a ban
    /// designates, it is no action in the field.
    #[test]
    fn denials_of_a_partys_own_acts_and_bans() {
        let got = describe(
            "The Interim Authority denies sheltering the Tarvik Liberation Front. \
             Kestria has hosted refugees from Osmar but denies arming Jamaat Nur al-Jabal. \
             The Serrat Mountain Army insists it has no links to the Coastal Martyrs Brigade. \
             Kestria banned the Serrat Mountain Army in 2019. \
             The Interim Authority denies the presence of foreign fighters in Osmar Province.",
            "The Halden Courier",
        );
        // Foreign fighters are no group's: the denier is not placed in Osmar.
        assert!(!got.contains("operates_in Osmar Province"), "{got}");
        assert!(
            got.contains("Varenian Interim Authority shelters Tarvik Liberation Front  -- Varenian Interim Authority [Varenian Interim Authority] denied"),
            "{got}"
        );
        assert!(
            got.contains("Kestria supports Jamaat Nur al-Jabal {\"support_type\":[\"weapons\"]} -- Kestria [Kestria] denied"),
            "{got}"
        );
        assert!(
            got.contains("Serrat Mountain Army cooperates_with Coastal Martyrs Brigade  -- Serrat Mountain Army [Serrat Mountain Army] denied"),
            "{got}"
        );
        assert!(
            got.contains("Kestria designates Serrat Mountain Army"),
            "{got}"
        );
        assert!(!got.contains("acts_against"), "{got}");
    }

    /// A claim of "a drone attack" is a claim of responsibility (not "claimed the lives of");
    /// a demonym before a state's force or word names the state ("Indonesian counterterrorism
    /// police", "according to Israeli estimates").
    #[test]
    fn claimed_attacks_and_a_states_forces_and_words() {
        let got = describe(
            "The TLF claimed a drone attack on a police post in Dravna. \
             The fighting claimed the lives of 20 soldiers in Lenz. \
             Indonesian counterterrorism police arrested 10 members of the Serrat Mountain Army. \
             According to Israeli estimates, Jamaat Nur al-Jabal has 900 fighters.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front attacks Dravna  -- Tarvik Liberation Front [Tarvik Liberation Front] alleged"),
            "{got}"
        );
        assert!(!got.contains("attacks Lenz"), "{got}");
        assert!(
            got.contains("Indonesia acts_against Serrat Mountain Army  -- The Halden Courier"),
            "{got}"
        );
        assert!(
            got.contains("Jamaat Nur al-Jabal has_strength - {\"low\":900,\"high\":900,\"unit\":\"fighters\"} -- Israel [Israel] assessed"),
            "{got}"
        );
    }

    /// A party's intentions are its acts, not its reports ("have sought ties with": the
    /// seeker is the subject, not a source); "little evidence of" negates; "operates openly
    /// in" places.
    #[test]
    fn intentions_scant_evidence_and_open_presence() {
        let got = describe(
            "The Tarvik Liberation Front has sought ties with the Serrat Mountain Army. \
             There is little evidence that Kestria arms the Coastal Martyrs Brigade. \
             Jamaat Nur al-Jabal continues to operate openly in Dravna.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front cooperates_with Serrat Mountain Army  -- The Halden Courier [] asserted"),
            "{got}"
        );
        assert!(
            got.contains("NOT Kestria supports Coastal Martyrs Brigade"),
            "{got}"
        );
        assert!(
            got.contains("Jamaat Nur al-Jabal operates_in Dravna"),
            "{got}"
        );
    }

    /// A group named by a name that calls it another's branch is tied to it, in the voice the
    /// sentence has ("claimed by the West African branch of Islamic State": the publisher's;
    /// "analysts said": theirs).
    #[test]
    fn a_name_that_calls_a_group_a_branch_ties_it() {
        let got = describe(
            "An ambush that killed 12 soldiers near Diffa was claimed by the West African branch of Islamic State. \
             Al-Qaeda's Yemeni branch has grown, analysts said.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Islamic State West Africa Province cooperates_with Islamic State in Iraq and the Levant  -- The Halden Courier [] asserted"),
            "{got}"
        );
        assert!(
            got.contains("Islamic State West Africa Province attacks Diffa"),
            "{got}"
        );
        assert!(
            got.contains("Al-Qaida in the Arabian Peninsula cooperates_with Al-Qaida  -- analysts [analysts] reported"),
            "{got}"
        );
    }

    /// An analyst named with the institution ("according to Jana Roe of the Halden
    /// Institute") is the source; "the group" after a quotation is the group the quotation
    /// named; "the dominant force in" places.
    #[test]
    fn analysts_of_institutions_and_the_group_a_quotation_named() {
        let got = describe(
            "The Serrat Mountain Army remains active in Lenz. \n\
             “The TLF is now the dominant force in Osmar Province,” said Jana Roe, an analyst. \n\
             She added that the group also operates in Dravna. \
             According to Jana Roe of the Halden Institute, Jamaat Nur al-Jabal controls Port Halden.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front operates_in Osmar Province  -- Jana Roe"),
            "{got}"
        );
        assert!(
            got.contains("Tarvik Liberation Front operates_in Dravna  -- Jana Roe"),
            "{got}"
        );
        assert!(
            got.contains(
                "Jamaat Nur al-Jabal operates_in Port Halden  -- Jana Roe [Jana Roe] reported"
            ),
            "{got}"
        );
    }

    /// Fighters counted are no kind of support, nor is training in "training camps"; fighters
    /// sent are.
    #[test]
    fn kinds_of_support_are_not_counts_or_places() {
        let got = describe(
            "The TLF, which is backed by Kestria, has 2,500 fighters. \
             Jamaat Nur al-Jabal runs training camps in Dravna and receives weapons from Kestria. \
             Kestria sent fighters to the Serrat Mountain Army.",
            "The Halden Courier",
        );
        assert!(
            got.contains(
                "Kestria supports Tarvik Liberation Front {\"support_type\":[\"unspecified\"]}"
            ),
            "{got}"
        );
        assert!(
            got.contains("Kestria supports Jamaat Nur al-Jabal {\"support_type\":[\"weapons\"]}"),
            "{got}"
        );
        assert!(
            got.contains("Kestria supports Serrat Mountain Army {\"support_type\":[\"fighters\"]}"),
            "{got}"
        );
    }

    /// Monitoring-report prose: two figures in one sentence, the second by "another" (of the
    /// kind named last), each with its own verb's modality (a contrast is its own clause).
    #[test]
    fn two_figures_by_one_member_state_and_another() {
        let got = describe(
            "The TLF remains a threat. One Member State reported that the group had between 4,000 and 6,000 fighters, while another estimated its strength at around 2,000.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front has_strength - {\"low\":4000,\"high\":6000,\"unit\":\"fighters\"} -- member state [member state] reported"),
            "{got}"
        );
        assert!(
            got.contains("Tarvik Liberation Front has_strength - {\"low\":2000,\"high\":2000,\"unit\":\"fighters\"} -- member state [member state] assessed"),
            "{got}"
        );
    }

    /// A demonym before a noun of support names the state that gives it ("Iranian support
    /// to", "Rwandan-backed"); unnamed security forces act for the country the sentence puts
    /// them in, when it names none before them.
    #[test]
    fn demonym_backers_and_forces_placed_in_a_country() {
        let got = describe(
            "Rwandan support to M23 grew last year, officials said. \
             The Iranian-backed Houthis fired on ships. \
             Security forces detained 12 members of Jamaat Ansarullah in Tajikistan last week. \
             The Philippine military said Abu Sayyaf fighters are suspected of attacking Jolo.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Abu Sayyaf Group attacks Jolo  -- Philippines [Philippines] alleged"),
            "{got}"
        );
        assert!(
            got.contains("Rwanda supports M23 {\"support_type\":[\"unspecified\"]} -- official"),
            "{got}"
        );
        assert!(got.contains("Iran supports Houthis"), "{got}");
        assert!(
            got.contains("Tajikistan acts_against Jamaat Ansarullah  -- The Halden Courier"),
            "{got}"
        );
    }

    /// A state fighting beside a group backs it on the battlefield; a group recruiting in a
    /// place is active there; "trained TLF fighters" names whom the training went to.
    #[test]
    fn battlefield_support_recruitment_and_recipients() {
        let got = describe(
            "UN experts said Kestria was fighting alongside Jamaat Nur al-Jabal. \
             Officials warned that the Tarvik Liberation Front was recruiting in Dravna. \
             Jamaat Nur al-Jabal trained TLF fighters.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Kestria supports Jamaat Nur al-Jabal {\"support_type\":[\"battlefield support\"]} -- experts [experts] reported"),
            "{got}"
        );
        assert!(
            got.contains("Tarvik Liberation Front operates_in Dravna  -- official"),
            "{got}"
        );
        assert!(
            got.contains("Jamaat Nur al-Jabal supports Tarvik Liberation Front {\"support_type\":[\"training\"]}"),
            "{got}"
        );
    }

    /// Where an attack was can be told in the relative clause after it; "loyal to X" makes
    /// X the subject of what its fighters do.
    #[test]
    fn an_attack_placed_by_its_relative_clause() {
        let got = describe(
            "The Tarvik Liberation Front claimed the bombing, which killed 20 people at a market in Lenz District. \
             Militants loyal to Jamaat Nur al-Jabal control large parts of Dravna.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front attacks Lenz District"),
            "{got}"
        );
        assert!(
            got.contains("Jamaat Nur al-Jabal operates_in Dravna"),
            "{got}"
        );
        // ... or in the sentence before a group's claim of responsibility.
        let got = describe(
            "A bomb exploded at a checkpoint in Lenz District on Monday, killing five officers. \
             The Tarvik Liberation Front claimed responsibility. \
             Talks on Dravna's water failed in March. Jamaat Nur al-Jabal later claimed responsibility.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front attacks Lenz District  -- Tarvik Liberation Front [Tarvik Liberation Front] alleged"),
            "{got}"
        );
        assert!(!got.contains("Jamaat Nur al-Jabal attacks"), "{got}");
        // ... or after the claim written as a passive: "The bombing, claimed by X, killed ...
        // in Y".
        let got = describe(
            "The bombing, claimed by the Tarvik Liberation Front, killed 13 soldiers in Lenz District.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front attacks Lenz District {\"killed\":13} -- Tarvik Liberation Front [Tarvik Liberation Front] alleged"),
            "{got}"
        );
    }

    /// Support and cooperation written with a bare verb: "to support X", "Y arms X" (not the
    /// noun "arms"), "A and B have coordinated their operations".
    #[test]
    fn bare_verbs_of_support_and_cooperation() {
        let got = describe(
            "Kestria sent troops to support the Tarvik Liberation Front. \
             Kestria secretly arms Jamaat Nur al-Jabal. \
             Small arms were passed on to the Tarvik Liberation Front by traders. \
             The Tarvik Liberation Front and Jamaat Nur al-Jabal have coordinated their operations.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Kestria supports Tarvik Liberation Front "),
            "{got}"
        );
        assert!(
            got.contains("Kestria supports Jamaat Nur al-Jabal "),
            "{got}"
        );
        assert_eq!(got.matches("supports").count(), 2, "{got}");
        assert!(
            got.contains("Tarvik Liberation Front cooperates_with Jamaat Nur al-Jabal")
                || got.contains("Jamaat Nur al-Jabal cooperates_with Tarvik Liberation Front"),
            "{got}"
        );
    }

    /// A state's forces attacking a group act against it, each state of a list of demonyms
    /// ("Nigerian and Chadian troops") and its aircraft too; a group attacking a group does
    /// not "act against" it.
    #[test]
    fn forces_of_several_states_attacking_a_group_act_against_it() {
        let got = describe(
            "Nigerian, Chadian and Cameroonian troops attacked Boko Haram positions. \
             Pakistani jets struck TTP hideouts. ISWAP attacked Boko Haram fighters.",
            "The Halden Courier",
        );
        for state in ["Nigeria", "Chad", "Cameroon"] {
            assert!(
                got.contains(&format!("{state} acts_against Boko Haram  --")),
                "{got}"
            );
        }
        assert!(
            got.contains("Pakistan acts_against Tehrik-e Taliban Pakistan  --"),
            "{got}"
        );
        assert!(
            !got.contains("Islamic State West Africa Province acts_against"),
            "{got}"
        );
        // "added ... to its list" designates, "added that" reports; Washington speaks for
        // the United States, the Washington Post for itself.
        let got = describe(
            "Washington added ISIS-K to the sanctions list in 2015. Kenya added that al-Shabaab was weakened. The Washington Post reported that the TTP operates in Kunar.",
            "The Halden Courier",
        );
        assert!(
            got.contains("United States designates ISIL-Khorasan"),
            "{got}"
        );
        assert!(!got.contains("Kenya designates"), "{got}");
        assert!(
            got.contains("operates_in Kunar  -- The Washington Post"),
            "{got}"
        );
        // "ties to" inside "authorities tolerate" once hid the trigger "tolerate".
        let got = describe("Iraqi authorities tolerate the PKK.", "The Halden Courier");
        assert!(
            got.contains("Iraq shelters Kurdistan Workers' Party  --"),
            "{got}"
        );
        // "capable of conducting attacks in" is a threat, not an attack.
        let got = describe(
            "ISIS-K remains capable of conducting attacks in Russia, officials said.",
            "The Halden Courier",
        );
        assert!(got.contains("ISIL-Khorasan threatens Russia"), "{got}");
        assert!(!got.contains("attacks Russia"), "{got}");
    }

    /// A party asked to act has not acted; asking for a group's members to be handed over is
    /// the asking authority's own act against the group.
    #[test]
    fn a_request_to_act_is_no_act_of_the_party_asked() {
        let got = describe(
            "Kestria asked the Varenian Interim Authority to hand over members of the Tarvik Liberation Front. \
             Kestria pressed the Varenian Interim Authority to act against Jamaat Nur al-Jabal.",
            "The Halden Courier",
        );
        assert!(
            got.contains(
                "Kestria acts_against Tarvik Liberation Front  -- The Halden Courier [] asserted"
            ),
            "{got}"
        );
        assert!(
            !got.contains("Varenian Interim Authority acts_against Tarvik"),
            "{got}"
        );
        assert!(
            got.contains("Varenian Interim Authority acts_against Jamaat Nur al-Jabal  -- The Halden Courier [] speculative"),
            "{got}"
        );
    }

    /// "puts / estimates / gives X's strength at N": the count is the group's strength, and
    /// whoever put the figure on it is the source; a group named inside the phrase ("the
    /// strength of X at ...") is the one counted.
    #[test]
    fn a_figure_put_on_a_groups_strength_is_its_sources() {
        let got = describe(
            "The Kestrian National Security Bureau puts the strength of the Tarvik Liberation Front at about 3,000 fighters. \
             Analysts estimate Jamaat Nur al-Jabal's membership at several hundred.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Tarvik Liberation Front has_strength - {\"low\":3000,\"high\":3000,\"unit\":\"fighters\"} -- Kestrian National Security Bureau"),
            "{got}"
        );
        assert!(got.contains("] reported\n"), "{got}");
        assert!(
            got.contains("Jamaat Nur al-Jabal has_strength - {\"low\":200,\"high\":999,\"unit\":\"members\"} -- analysts [analysts] assessed"),
            "{got}"
        );
    }

    /// "X, which claims to ...": the group's claim about itself (alleged, by the group), and
    /// the sentence's main verb still has the group as its subject.
    #[test]
    fn a_groups_claim_about_itself_in_a_relative_clause() {
        let got = describe(
            "The Serrat Mountain Army, which claims to owe allegiance to the Tarvik Liberation Front, operates in Dravna.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Serrat Mountain Army cooperates_with Tarvik Liberation Front  -- Serrat Mountain Army [Serrat Mountain Army] alleged")
                || got.contains("Tarvik Liberation Front cooperates_with Serrat Mountain Army  -- Serrat Mountain Army [Serrat Mountain Army] alleged"),
            "{got}"
        );
        assert!(
            got.contains(
                "Serrat Mountain Army operates_in Dravna  -- The Halden Courier [] asserted"
            ),
            "{got}"
        );
    }

    /// ", which heightens fears over its activities in ...": the writer's comment on a
    /// report, asserted by the publisher, with "its" the report's subject.
    #[test]
    fn a_sentential_which_after_a_report_is_the_writers_comment() {
        let got = describe(
            "The Panel reported that the Tarvik Liberation Front draws backing from the Serrat Mountain Army, which heightens fears over its activities in Dravna.",
            "The Halden Courier",
        );
        assert!(
            got.contains("Serrat Mountain Army supports Tarvik Liberation Front"),
            "{got}"
        );
        assert!(
            got.contains(
                "Tarvik Liberation Front operates_in Dravna  -- The Halden Courier [] asserted"
            ),
            "{got}"
        );
    }

    /// Every claim of the demo corpus's longest article.
    #[test]
    fn longest_demo_article_snapshot() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let raw =
            std::fs::read_to_string(root.join("demo/corpus/reports/2024-12-panel-final-report.md"))
                .unwrap();
        let body = raw.splitn(3, "---").nth(2).unwrap();
        insta::assert_snapshot!(describe(body, "The Halden Courier"));
    }
}

/// Every PolNeAR text (real news written by others, dev and train) goes through attribution
/// and claim extraction, and every span either gives back is a non-empty slice of the text.
/// A coordination such as "was booed and shouted down by ..." once cut a content to nothing
/// and made `havenwatch attributions` panic when it sliced it.
#[test]
fn every_span_extracted_from_real_news_is_a_slice_of_its_text() {
    use havenwatch_extract::claims::ClaimExtractor;
    use havenwatch_extract::evaluate::mention_refs;
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/polnear");
    assert!(
        root.exists(),
        "../shared is missing beside the checkout (expected {})",
        root.display()
    );
    let mentions = extractor();
    let claims = ClaimExtractor::for_resolver(mentions.resolver());
    let mut files = 0;
    let mut attributions = 0;
    for split in ["dev", "train"] {
        for entry in std::fs::read_dir(root.join(split).join("text")).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            files += 1;
            for a in claims.attribution().extract(&text) {
                attributions += 1;
                let spans = [Some(a.cue), Some(a.content), a.source];
                for (x, y) in spans.into_iter().flatten() {
                    assert!(
                        x < y && text.get(x..y).is_some(),
                        "{}: span {x}..{y} of {a:?}",
                        path.display()
                    );
                }
            }
            let refs = mention_refs(&mentions, &text);
            for c in claims.extract(&text, Some("PolNeAR"), &refs) {
                let (x, y) = (c.evidence.start, c.evidence.end);
                assert!(
                    x < y && text.get(x..y).is_some(),
                    "{}: evidence {x}..{y}",
                    path.display()
                );
            }
        }
    }
    assert!(files > 800, "PolNeAR dev and train hold {files} texts");
    assert!(attributions > 10_000, "{attributions} attributions found");
}

/// The fingerprint an analysis gives with it (from the fold matching made) is the one
/// `simhash` gives, which stores hold: on real news (PolNeAR) and on the dev corpus, and on
/// a text whose variant spellings the fold rewrote.
#[test]
fn an_analysis_fingerprint_is_the_documents_simhash() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        shared.exists(),
        "../shared is missing beside the checkout (expected {})",
        shared.display()
    );
    let x = extractor();
    let mut texts: Vec<String> = Vec::new();
    for split in ["dev", "train"] {
        for entry in
            std::fs::read_dir(shared.join("data/polnear").join(split).join("text")).unwrap()
        {
            texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    let dev = std::fs::read_to_string(shared.join("corpus/dev.jsonl")).unwrap();
    for line in dev.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        texts.push(v["text"].as_str().unwrap().to_string());
    }
    texts.push("Tehreek-i-Taliban Pakistan and Tehrik-e-Taliban Pakistan's fighters.".into());
    assert!(texts.len() > 900, "{} texts", texts.len());
    for text in &texts {
        assert_eq!(
            x.analyze_and_fingerprint(text).1,
            havenwatch_core::text::simhash(text),
            "{text:.80}"
        );
    }
}
