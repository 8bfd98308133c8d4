//! Derives the CSF 2.0 catalog and crosswalk from NIST's OSCAL file and checks them against
//! frameworks.md; `EVIDENTIA_BLESS=1` rewrites the committed files from the OSCAL original.

use serde::Serialize;
use serde_json::Value;

use evidentia_frameworks::{Catalog, NIST_CSF_2_0};

use crate::{bless, builtin, crate_path, shared_reference};

const OSCAL_FILE: &str = "nist-csf-2.0-oscal-catalog.json";
const CATALOG_FILE: &str = "catalogs/nist-csf-2.0.json";
const CROSSWALK_FILE: &str = "catalogs/nist-csf-1.1-to-2.0.json";

/// Where the OSCAL file came from; the commit cannot be read from the file itself.
const OSCAL_ORIGIN: &str = "usnistgov/oscal-content, nist.gov/CSF/v2.0/json/NIST_CSF_v2.0_catalog-min.json at commit 78650f02ad9321bb7b817846f8fbd4f2bcd620de";
const NIST_LICENCE: &str = "A work of the US government, not subject to copyright in the US (17 U.S.C. 105); usnistgov/oscal-content also waives copyright worldwide under CC0 1.0. Statements are quoted verbatim with credit to NIST; NIST does not endorse this product.";

#[derive(Serialize)]
struct CatalogOut {
    format: &'static str,
    id: &'static str,
    title: &'static str,
    version: &'static str,
    publisher: &'static str,
    source: String,
    licence: &'static str,
    groups: Vec<NodeOut>,
}

#[derive(Serialize)]
struct NodeOut {
    id: String,
    title: String,
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    children: Vec<NodeOut>,
}

#[derive(Serialize)]
struct CrosswalkOut {
    format: &'static str,
    from: &'static str,
    to: &'static str,
    source: String,
    licence: &'static str,
    entries: Vec<EntryOut>,
}

#[derive(Serialize)]
struct EntryOut {
    id: String,
    kind: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<String>,
    relation: String,
    targets: Vec<String>,
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("OSCAL: {key} missing in {value}"))
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value[key].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn prop<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    list(value, "props")
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

/// The children of a node in NIST's `sort-id` order, which is CSF 2.0's reading order (the
/// arrays themselves are alphabetical). The sort is stable, so the ids NIST gave one sort-id
/// (ID.IM-03 and ID.IM-04) keep their file order.
fn sorted<'a>(value: &'a Value, key: &str) -> Vec<&'a Value> {
    let mut items: Vec<&Value> = list(value, key).iter().collect();
    items.sort_by_key(|item| {
        prop(item, "sort-id").unwrap_or_else(|| panic!("no sort-id on {}", item["id"]))
    });
    items
}

fn is_withdrawn(value: &Value) -> bool {
    prop(value, "status") == Some("withdrawn")
}

/// The prose of the `statement` part (`overview` for functions); withdrawn categories have an
/// empty statement part, which we drop.
fn statement(value: &Value, part: &str) -> Option<String> {
    list(value, "parts")
        .iter()
        .find(|p| p["name"] == part)
        .and_then(|p| p["prose"].as_str())
        .map(str::to_owned)
}

/// Returns `(catalog file text, crosswalk file text)` for NIST's OSCAL catalog text.
fn derive(oscal: &str) -> (String, String) {
    let root: Value = serde_json::from_str(oscal).expect("OSCAL JSON");
    let catalog = &root["catalog"];
    let metadata = &catalog["metadata"];
    let source = format!(
        "Derived from NIST's OSCAL catalog of CSF 2.0 ({OSCAL_ORIGIN}; catalog version {}, {}, {}): \
         functions, categories and subcategories with their statements. Withdrawn CSF 1.1 elements \
         are in the crosswalk instead; implementation examples are left out.",
        str_of(metadata, "version"),
        prop(metadata, "framework-version-identifier").expect("framework version"),
        prop(metadata, "publication-status").expect("publication status"),
    );

    let mut groups = Vec::new();
    let mut entries = Vec::new();
    // OSCAL nests function (group) → category (control) → subcategory (control).
    for function in sorted(catalog, "groups") {
        let mut categories = Vec::new();
        for category in sorted(function, "controls") {
            // A withdrawn category precedes its (withdrawn) subcategories, as in NIST's file.
            if is_withdrawn(category) {
                entries.push(entry(category));
            }
            let mut subcategories = Vec::new();
            for sub in sorted(category, "controls") {
                if is_withdrawn(sub) {
                    entries.push(entry(sub));
                } else {
                    assert!(
                        !is_withdrawn(category),
                        "active {} under a withdrawn category",
                        sub["id"]
                    );
                    assert!(
                        list(sub, "controls").is_empty(),
                        "nested below {}",
                        sub["id"]
                    );
                    subcategories.push(node(sub, "statement", Vec::new()));
                }
            }
            if !is_withdrawn(category) {
                categories.push(node(category, "statement", subcategories));
            }
        }
        groups.push(node(function, "overview", categories));
    }

    let catalog_out = CatalogOut {
        format: "evidentia-catalog/1",
        id: NIST_CSF_2_0,
        title: "NIST Cybersecurity Framework (CSF) 2.0",
        version: "2.0",
        publisher: "National Institute of Standards and Technology (NIST)",
        source: source.clone(),
        licence: NIST_LICENCE,
        groups,
    };
    let crosswalk_out = CrosswalkOut {
        format: "evidentia-crosswalk/1",
        from: "nist-csf-1.1",
        to: NIST_CSF_2_0,
        source: format!(
            "Derived from the withdrawn CSF 1.1 elements of NIST's OSCAL catalog of CSF 2.0 ({OSCAL_ORIGIN}) and their moved_to / incorporated_into links."
        ),
        licence: NIST_LICENCE,
        entries,
    };
    (pretty(&catalog_out), pretty(&crosswalk_out))
}

/// Two-space indented JSON with a final newline, so diffs of the committed files read well.
fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("serialisable") + "\n"
}

fn node(value: &Value, part: &str, children: Vec<NodeOut>) -> NodeOut {
    NodeOut {
        id: str_of(value, "id").to_owned(),
        title: str_of(value, "title").to_owned(),
        kind: str_of(value, "class").to_owned(),
        statement: statement(value, part),
        children,
    }
}

fn entry(value: &Value) -> EntryOut {
    let links = list(value, "links");
    let relation = match links.first() {
        None => "withdrawn".to_owned(),
        Some(first) => str_of(first, "rel").to_owned(),
    };
    assert!(
        links.iter().all(|l| l["rel"] == relation.as_str()),
        "{}: mixed link relations; the crosswalk format needs one per entry",
        value["id"]
    );
    EntryOut {
        id: str_of(value, "id").to_owned(),
        kind: str_of(value, "class").to_owned(),
        title: str_of(value, "title").to_owned(),
        statement: statement(value, "statement"),
        relation,
        targets: links.iter().map(|l| str_of(l, "href").to_owned()).collect(),
    }
}

#[test]
fn committed_files_match_nists_oscal() {
    let Some(oscal_path) = shared_reference(OSCAL_FILE) else {
        return;
    };
    let oscal = std::fs::read_to_string(oscal_path).expect("read OSCAL");
    let (catalog, crosswalk) = derive(&oscal);
    for (file, derived) in [(CATALOG_FILE, catalog), (CROSSWALK_FILE, crosswalk)] {
        let path = crate_path(file);
        if bless() {
            std::fs::write(&path, derived).expect("write derived file");
            continue;
        }
        let committed = std::fs::read_to_string(&path).expect("read committed file");
        assert!(
            committed == derived,
            "{file} differs from what NIST's OSCAL file derives; rerun with EVIDENTIA_BLESS=1 and review the diff"
        );
    }
}

fn csf() -> Catalog {
    let (catalogs, _) = builtin();
    catalogs.get(NIST_CSF_2_0).expect("CSF built in").clone()
}

#[test]
fn catalog_has_the_whole_core() {
    let csf = csf();
    let count = |kind: &str| csf.controls().filter(|c| c.kind() == Some(kind)).count();
    assert_eq!(
        (count("function"), count("category"), count("subcategory")),
        (6, 22, 106)
    );
    assert_eq!(csf.leaves().count(), 106);
    assert!(
        csf.leaves()
            .all(|c| c.kind() == Some("subcategory") && c.statement().is_some())
    );
    // Withdrawn ids live in the crosswalk, not the catalog.
    for withdrawn in [
        "ID.AM-06", "PR.AC", "PR.AC-04", "PR.IP-11", "PR.PT-01", "RC.CO-02",
    ] {
        assert!(csf.control(withdrawn).is_none(), "{withdrawn}");
    }
    let first: Vec<_> = csf.leaves().take(2).map(|c| c.id()).collect();
    assert_eq!(first, ["GV.OC-01", "GV.OC-02"]);
    assert_eq!(csf.leaves().last().map(|c| c.id()), Some("RC.CO-04"));
    // Reading order is NIST's sort-id order, not the alphabetical order of the OSCAL arrays.
    let gv = csf.control("GV").unwrap();
    let order: Vec<_> = csf.children(gv).map(|c| c.id()).collect();
    assert_eq!(
        order,
        ["GV.OC", "GV.RM", "GV.RR", "GV.PO", "GV.OV", "GV.SC"]
    );
    let im = csf.control("ID.IM").unwrap();
    let order: Vec<_> = csf.children(im).map(|c| c.id()).collect();
    assert_eq!(order, ["ID.IM-01", "ID.IM-02", "ID.IM-03", "ID.IM-04"]);
}

#[test]
fn ancestors_are_function_then_category() {
    let csf = csf();
    let ids: Vec<_> = csf
        .ancestors("PR.AA-05")
        .unwrap()
        .into_iter()
        .map(|c| c.id())
        .collect();
    assert_eq!(ids, ["PR", "PR.AA"]);
    let ids: Vec<_> = csf
        .ancestors("GV.RR-04")
        .unwrap()
        .into_iter()
        .map(|c| c.kind())
        .collect();
    assert_eq!(ids, [Some("function"), Some("category")]);
}

#[test]
fn functions_match_frameworks_md() {
    let csf = csf();
    for &(id, title, statement) in FUNCTIONS {
        let f = csf.control(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!((f.title(), f.statement()), (title, Some(statement)), "{id}");
    }
    let roots: Vec<_> = csf.roots().map(|c| c.id()).collect();
    assert_eq!(roots, ["GV", "ID", "PR", "DE", "RS", "RC"]);
}

#[test]
fn categories_match_frameworks_md() {
    let csf = csf();
    for &(id, title) in CATEGORIES {
        let c = csf.control(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(c.title(), title, "{id}");
    }
}

#[test]
fn subcategories_match_frameworks_md() {
    let csf = csf();
    for &(id, statement) in SUBCATEGORIES {
        let c = csf.control(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(c.statement(), Some(statement), "{id}");
        assert_eq!(c.title(), id, "CSF 2.0 subcategories have no short title");
    }
    assert_eq!(
        csf.control("GV.OC-04").unwrap().statement(),
        Some(
            "Critical objectives, capabilities, and services that external stakeholders depend on or expect from the organization are understood and communicated"
        ),
        "frameworks.md: follow NIST's wording with \"external\""
    );
}

// The lists below are copied from /work/shared/reference/frameworks.md sections 1.1 to 1.3
// (verbatim NIST text), so the check runs even where the shared folder is absent.
const FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "GV",
        "GOVERN",
        "The organization's cybersecurity risk management strategy, expectations, and policy are established, communicated, and monitored",
    ),
    (
        "ID",
        "IDENTIFY",
        "The organization's current cybersecurity risks are understood",
    ),
    (
        "PR",
        "PROTECT",
        "Safeguards to manage the organization's cybersecurity risks are used",
    ),
    (
        "DE",
        "DETECT",
        "Possible cybersecurity attacks and compromises are found and analyzed",
    ),
    (
        "RS",
        "RESPOND",
        "Actions regarding a detected cybersecurity incident are taken",
    ),
    (
        "RC",
        "RECOVER",
        "Assets and operations affected by a cybersecurity incident are restored",
    ),
];

const CATEGORIES: &[(&str, &str)] = &[
    ("GV.OC", "Organizational Context"),
    ("GV.RM", "Risk Management Strategy"),
    ("GV.RR", "Roles, Responsibilities, and Authorities"),
    ("GV.PO", "Policy"),
    ("GV.OV", "Oversight"),
    ("GV.SC", "Cybersecurity Supply Chain Risk Management"),
    ("ID.AM", "Asset Management"),
    ("ID.RA", "Risk Assessment"),
    ("ID.IM", "Improvement"),
    (
        "PR.AA",
        "Identity Management, Authentication, and Access Control",
    ),
    ("PR.AT", "Awareness and Training"),
    ("PR.DS", "Data Security"),
    ("PR.PS", "Platform Security"),
    ("PR.IR", "Technology Infrastructure Resilience"),
    ("DE.CM", "Continuous Monitoring"),
    ("DE.AE", "Adverse Event Analysis"),
    ("RS.AN", "Incident Analysis"),
];

const SUBCATEGORIES: &[(&str, &str)] = &[
    (
        "GV.RM-01",
        "Risk management objectives are established and agreed to by organizational stakeholders",
    ),
    (
        "GV.RM-02",
        "Risk appetite and risk tolerance statements are established, communicated, and maintained",
    ),
    (
        "GV.RM-03",
        "Cybersecurity risk management activities and outcomes are included in enterprise risk management processes",
    ),
    (
        "GV.RM-04",
        "Strategic direction that describes appropriate risk response options is established and communicated",
    ),
    (
        "GV.RM-05",
        "Lines of communication across the organization are established for cybersecurity risks, including risks from suppliers and other third parties",
    ),
    (
        "GV.RM-06",
        "A standardized method for calculating, documenting, categorizing, and prioritizing cybersecurity risks is established and communicated",
    ),
    (
        "GV.RM-07",
        "Strategic opportunities (i.e., positive risks) are characterized and are included in organizational cybersecurity risk discussions",
    ),
    (
        "GV.RR-01",
        "Organizational leadership is responsible and accountable for cybersecurity risk and fosters a culture that is risk-aware, ethical, and continually improving",
    ),
    (
        "GV.RR-02",
        "Roles, responsibilities, and authorities related to cybersecurity risk management are established, communicated, understood, and enforced",
    ),
    (
        "GV.RR-03",
        "Adequate resources are allocated commensurate with the cybersecurity risk strategy, roles, responsibilities, and policies",
    ),
    (
        "GV.RR-04",
        "Cybersecurity is included in human resources practices",
    ),
    (
        "GV.PO-01",
        "Policy for managing cybersecurity risks is established based on organizational context, cybersecurity strategy, and priorities and is communicated and enforced",
    ),
    (
        "GV.PO-02",
        "Policy for managing cybersecurity risks is reviewed, updated, communicated, and enforced to reflect changes in requirements, threats, technology, and organizational mission",
    ),
    (
        "GV.OV-01",
        "Cybersecurity risk management strategy outcomes are reviewed to inform and adjust strategy and direction",
    ),
    (
        "GV.OV-02",
        "The cybersecurity risk management strategy is reviewed and adjusted to ensure coverage of organizational requirements and risks",
    ),
    (
        "GV.OV-03",
        "Organizational cybersecurity risk management performance is evaluated and reviewed for adjustments needed",
    ),
    (
        "GV.SC-01",
        "A cybersecurity supply chain risk management program, strategy, objectives, policies, and processes are established and agreed to by organizational stakeholders",
    ),
    (
        "GV.SC-02",
        "Cybersecurity roles and responsibilities for suppliers, customers, and partners are established, communicated, and coordinated internally and externally",
    ),
    (
        "GV.SC-03",
        "Cybersecurity supply chain risk management is integrated into cybersecurity and enterprise risk management, risk assessment, and improvement processes",
    ),
    (
        "GV.SC-04",
        "Suppliers are known and prioritized by criticality",
    ),
    (
        "GV.SC-05",
        "Requirements to address cybersecurity risks in supply chains are established, prioritized, and integrated into contracts and other types of agreements with suppliers and other relevant third parties",
    ),
    (
        "GV.SC-06",
        "Planning and due diligence are performed to reduce risks before entering into formal supplier or other third-party relationships",
    ),
    (
        "GV.SC-07",
        "The risks posed by a supplier, their products and services, and other third parties are understood, recorded, prioritized, assessed, responded to, and monitored over the course of the relationship",
    ),
    (
        "GV.SC-08",
        "Relevant suppliers and other third parties are included in incident planning, response, and recovery activities",
    ),
    (
        "GV.SC-09",
        "Supply chain security practices are integrated into cybersecurity and enterprise risk management programs, and their performance is monitored throughout the technology product and service life cycle",
    ),
    (
        "GV.SC-10",
        "Cybersecurity supply chain risk management plans include provisions for activities that occur after the conclusion of a partnership or service agreement",
    ),
    (
        "GV.OC-03",
        "Legal, regulatory, and contractual requirements regarding cybersecurity - including privacy and civil liberties obligations - are understood and managed",
    ),
    (
        "ID.AM-01",
        "Inventories of hardware managed by the organization are maintained",
    ),
    (
        "ID.AM-02",
        "Inventories of software, services, and systems managed by the organization are maintained",
    ),
    (
        "ID.AM-03",
        "Representations of the organization's authorized network communication and internal and external network data flows are maintained",
    ),
    (
        "ID.AM-04",
        "Inventories of services provided by suppliers are maintained",
    ),
    (
        "ID.AM-05",
        "Assets are prioritized based on classification, criticality, resources, and impact on the mission",
    ),
    (
        "ID.AM-07",
        "Inventories of data and corresponding metadata for designated data types are maintained",
    ),
    (
        "ID.AM-08",
        "Systems, hardware, software, services, and data are managed throughout their life cycles",
    ),
    (
        "ID.RA-06",
        "Risk responses are chosen, prioritized, planned, tracked, and communicated",
    ),
    (
        "ID.RA-07",
        "Changes and exceptions are managed, assessed for risk impact, recorded, and tracked",
    ),
    ("ID.IM-01", "Improvements are identified from evaluations"),
    (
        "ID.IM-02",
        "Improvements are identified from security tests and exercises, including those done in coordination with suppliers and relevant third parties",
    ),
    (
        "ID.IM-03",
        "Improvements are identified from execution of operational processes, procedures, and activities",
    ),
    (
        "ID.IM-04",
        "Incident response plans and other cybersecurity plans that affect operations are established, communicated, maintained, and improved",
    ),
    (
        "PR.AA-01",
        "Identities and credentials for authorized users, services, and hardware are managed by the organization",
    ),
    (
        "PR.AA-02",
        "Identities are proofed and bound to credentials based on the context of interactions",
    ),
    (
        "PR.AA-03",
        "Users, services, and hardware are authenticated",
    ),
    (
        "PR.AA-04",
        "Identity assertions are protected, conveyed, and verified",
    ),
    (
        "PR.AA-05",
        "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties",
    ),
    (
        "PR.AA-06",
        "Physical access to assets is managed, monitored, and enforced commensurate with risk",
    ),
    (
        "PR.AT-01",
        "Personnel are provided with awareness and training so that they possess the knowledge and skills to perform general tasks with cybersecurity risks in mind",
    ),
    (
        "PR.AT-02",
        "Individuals in specialized roles are provided with awareness and training so that they possess the knowledge and skills to perform relevant tasks with cybersecurity risks in mind",
    ),
    (
        "PR.DS-01",
        "The confidentiality, integrity, and availability of data-at-rest are protected",
    ),
    (
        "PR.DS-02",
        "The confidentiality, integrity, and availability of data-in-transit are protected",
    ),
    (
        "PR.DS-11",
        "Backups of data are created, protected, maintained, and tested",
    ),
    (
        "PR.PS-01",
        "Configuration management practices are established and applied",
    ),
    (
        "PR.PS-04",
        "Log records are generated and made available for continuous monitoring",
    ),
    (
        "PR.IR-01",
        "Networks and environments are protected from unauthorized logical access and usage",
    ),
    (
        "DE.CM-01",
        "Networks and network services are monitored to find potentially adverse events",
    ),
    (
        "DE.CM-03",
        "Personnel activity and technology usage are monitored to find potentially adverse events",
    ),
    (
        "DE.CM-06",
        "External service provider activities and services are monitored to find potentially adverse events",
    ),
    (
        "DE.CM-09",
        "Computing hardware and software, runtime environments, and their data are monitored to find potentially adverse events",
    ),
    (
        "DE.AE-02",
        "Potentially adverse events are analyzed to better understand associated activities",
    ),
    (
        "DE.AE-03",
        "Information is correlated from multiple sources",
    ),
    (
        "RS.AN-06",
        "Actions performed during an investigation are recorded, and the records' integrity and provenance are preserved",
    ),
    (
        "RS.AN-07",
        "Incident data and metadata are collected, and their integrity and provenance are preserved",
    ),
];
