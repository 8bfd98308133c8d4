//! The fictional company's fixed shape: systems, roles and their birthright access, tiers, SoD pairs, NHI templates.

use chrono::{DateTime, Duration, TimeZone, Utc};

/// All times in the generator are UTC; formats with local times convert when writing.
pub type Ts = DateTime<Utc>;

/// The company's name and e-mail domain.
pub const COMPANY: &str = "Northwind Analytics";
pub const DOMAIN: &str = "northwind.example";
pub const AWS_ACCOUNT: &str = "111122223333";
pub const GITHUB_ORG: &str = "northwind";
pub const BASTION: &str = "bastion";

/// A fixed UTC time (the inputs are always valid, so this cannot fail).
pub fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Ts {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The audit period: calendar 2025.
pub fn period_start() -> Ts {
    ts(2025, 1, 1, 0, 0, 0)
}
pub fn period_end() -> Ts {
    ts(2026, 1, 1, 0, 0, 0)
}

/// The reconciliation snapshot times: the baseline (end of 2024), then every month end of 2025.
pub fn snapshot_times() -> Vec<Ts> {
    let mut out = vec![ts(2024, 12, 31, 23, 59, 59)];
    for m in 1..=12u32 {
        let next = if m == 12 {
            ts(2026, 1, 1, 0, 0, 0)
        } else {
            ts(2025, m + 1, 1, 0, 0, 0)
        };
        out.push(next - Duration::seconds(1));
    }
    out
}

pub fn hours(h: i64) -> Duration {
    Duration::hours(h)
}
pub fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}
pub fn days(d: i64) -> Duration {
    Duration::days(d)
}

/// A system in scope, named as the importers' default system ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sys {
    Aws,
    Okta,
    Entra,
    Github,
    Google,
    K8s,
    Linux,
    Finance,
}

pub const SYSTEMS: [Sys; 8] = [
    Sys::Aws,
    Sys::Okta,
    Sys::Entra,
    Sys::Github,
    Sys::Google,
    Sys::K8s,
    Sys::Linux,
    Sys::Finance,
];

impl Sys {
    /// The policy's system id (the importers' default for native formats).
    pub fn id(self) -> &'static str {
        match self {
            Sys::Aws => "aws",
            Sys::Okta => "okta",
            Sys::Entra => "entra-id",
            Sys::Github => "github",
            Sys::Google => "google-workspace",
            Sys::K8s => "kubernetes",
            Sys::Linux => "linux",
            Sys::Finance => "finance-app",
        }
    }

    /// The file (under the output directory) holding this system's provisioning log.
    pub fn log_file(self) -> &'static str {
        match self {
            Sys::Aws => "logs/aws-cloudtrail.jsonl",
            Sys::Okta => "logs/okta-system-log.jsonl",
            Sys::Entra => "logs/entra-audit.jsonl",
            Sys::Github => "logs/github-audit.jsonl",
            Sys::Google => "logs/google-workspace-admin.jsonl",
            Sys::K8s => "logs/k8s-audit.jsonl",
            Sys::Linux => "logs/bastion-auth.log",
            Sys::Finance => "logs/finance-app-provisioning.csv",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sys::Aws => "AWS (account 111122223333, IAM)",
            Sys::Okta => "Okta (workforce identity provider)",
            Sys::Entra => {
                "Microsoft Entra ID (Microsoft 365 tenant used by Finance, Sales, People and IT)"
            }
            Sys::Github => "GitHub organization `northwind`",
            Sys::Google => "Google Workspace (mail, calendar, groups)",
            Sys::K8s => "Kubernetes production cluster `prod-eu1`",
            Sys::Linux => "Linux bastion host `bastion`",
            Sys::Finance => "Finance application (payables, general ledger, payments)",
        }
    }

    pub fn criticality(self) -> &'static str {
        match self {
            Sys::Okta | Sys::Aws | Sys::Finance | Sys::K8s => "critical",
            Sys::Entra | Sys::Github | Sys::Google => "high",
            Sys::Linux => "medium",
        }
    }

    /// Hours from a departure to the revocation that ends access; exactly this is on time.
    pub fn sla_hours(self) -> i64 {
        match self {
            Sys::Okta => 4,
            Sys::Linux | Sys::Finance => 72,
            _ => 24,
        }
    }

    /// Event-driven systems are provisioned by the IGA connector as events arrive; batch
    /// systems by a nightly job.
    pub fn batch(self) -> bool {
        matches!(self, Sys::Linux | Sys::Finance)
    }

    /// Systems where a person has an account created before entitlements are granted
    /// (Kubernetes people exist only as binding subjects; a GitHub account is its org membership).
    pub fn has_account_step(self) -> bool {
        !matches!(self, Sys::K8s | Sys::Github)
    }
}

/// Risk tier of an entitlement, as the policy declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    Standard,
    Elevated,
    Privileged,
}

impl Tier {
    pub fn ticket(self) -> &'static str {
        match self {
            Tier::Standard => "Low",
            Tier::Elevated => "Medium",
            Tier::Privileged => "High",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Elevated => "elevated",
            Tier::Privileged => "privileged",
        }
    }
    /// Longest exception the policy allows for the tier, in days.
    pub fn max_exception_days(self) -> i64 {
        match self {
            Tier::Standard => 180,
            Tier::Elevated => 90,
            Tier::Privileged => 30,
        }
    }
}

pub const POLICY_PROD_DEPLOY: &str = "arn:aws:iam::111122223333:policy/prod-deploy";
pub const POLICY_CLOUDTRAIL_ADMIN: &str = "arn:aws:iam::111122223333:policy/cloudtrail-admin";
pub const POLICY_ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Entitlements above standard; everything else is standard.
pub const TIERS: &[(Sys, &str, Tier)] = &[
    (Sys::Aws, "Admins", Tier::Privileged),
    (Sys::Aws, POLICY_ADMIN, Tier::Privileged),
    (Sys::Aws, POLICY_CLOUDTRAIL_ADMIN, Tier::Privileged),
    (Sys::Aws, "Operators", Tier::Elevated),
    (Sys::Aws, POLICY_PROD_DEPLOY, Tier::Elevated),
    (Sys::Aws, "emergency-admins", Tier::Privileged),
    (Sys::Okta, "Super Administrator", Tier::Privileged),
    (Sys::Okta, "Okta Emergency Admins", Tier::Privileged),
    (Sys::Entra, "Global Administrator", Tier::Privileged),
    (Sys::Entra, "IT-Admins", Tier::Elevated),
    (Sys::Github, "org:owner", Tier::Privileged),
    (Sys::Google, "Super Admin", Tier::Privileged),
    (Sys::K8s, "cluster-admin", Tier::Privileged),
    (Sys::K8s, "prod/secret-admin", Tier::Privileged),
    (Sys::K8s, "prod/deployer", Tier::Elevated),
    (Sys::Linux, "sudo", Tier::Privileged),
    (Sys::Finance, "Payments-Release", Tier::Privileged),
    (Sys::Finance, "GL-Approver", Tier::Elevated),
    (Sys::Finance, "Vendor-Master-Edit", Tier::Elevated),
];

pub fn tier(sys: Sys, ent: &str) -> Tier {
    TIERS
        .iter()
        .find(|(s, e, _)| *s == sys && *e == ent)
        .map_or(Tier::Standard, |t| t.2)
}

/// Separation-of-duties pairs: no identity may hold both.
pub const SOD_PAIRS: &[(&str, Sys, &str, &str)] = &[
    (
        "sod-ap-release",
        Sys::Finance,
        "AP-Clerk",
        "Payments-Release",
    ),
    (
        "sod-vendor-release",
        Sys::Finance,
        "Vendor-Master-Edit",
        "Payments-Release",
    ),
    (
        "sod-deploy-audit",
        Sys::Aws,
        POLICY_PROD_DEPLOY,
        POLICY_CLOUDTRAIL_ADMIN,
    ),
    (
        "sod-deploy-secrets",
        Sys::K8s,
        "prod/deployer",
        "prod/secret-admin",
    ),
];

/// A job code with its department and birthright access (first GitHub entitlement is
/// the organization itself: joining it is the account).
#[derive(Debug)]
pub struct Role {
    pub code: &'static str,
    /// Job title, shown in the README's company table.
    pub title: &'static str,
    pub dept: &'static str,
    pub access: &'static [(Sys, &'static [&'static str])],
}

const ALL: &str = "All Staff";
const ALL_G: &str = "all-staff@northwind.example";

pub const ROLES: &[Role] = &[
    Role {
        code: "EXEC",
        title: "Executive",
        dept: "Executive",
        access: &[(Sys::Okta, &[ALL]), (Sys::Google, &[ALL_G])],
    },
    Role {
        code: "ENG-SWE",
        title: "Software Engineer",
        dept: "Engineering",
        access: &[
            (Sys::Okta, &[ALL, "Engineering"]),
            (Sys::Google, &[ALL_G, "eng@northwind.example"]),
            (Sys::Github, &["northwind", "northwind/engineering"]),
            (Sys::Aws, &["Developers"]),
            (Sys::K8s, &["dev/edit"]),
        ],
    },
    Role {
        code: "ENG-SRE",
        title: "Site Reliability Engineer",
        dept: "Engineering",
        access: &[
            (Sys::Okta, &[ALL, "Engineering"]),
            (Sys::Google, &[ALL_G, "eng@northwind.example"]),
            (Sys::Github, &["northwind", "northwind/sre"]),
            (Sys::Aws, &["Developers", "Operators"]),
            (Sys::K8s, &["view"]),
            (Sys::Linux, &["ops"]),
        ],
    },
    Role {
        code: "ENG-CONTRACT",
        title: "Contract Engineer",
        dept: "Engineering",
        access: &[
            (Sys::Okta, &[ALL, "Contractors"]),
            (Sys::Google, &[ALL_G]),
            (Sys::Github, &["northwind", "northwind/contractors"]),
            (Sys::K8s, &["dev/view"]),
        ],
    },
    Role {
        code: "DATA-ANL",
        title: "Data Analyst",
        dept: "Data",
        access: &[
            (Sys::Okta, &[ALL, "Data"]),
            (Sys::Google, &[ALL_G, "data@northwind.example"]),
            (Sys::Github, &["northwind", "northwind/data"]),
            (Sys::Aws, &["Analysts"]),
        ],
    },
    Role {
        code: "FIN-AP",
        title: "Accounts Payable Specialist",
        dept: "Finance",
        access: &[
            (Sys::Okta, &[ALL, "Finance"]),
            (Sys::Google, &[ALL_G, "finance@northwind.example"]),
            (Sys::Entra, &["Finance-Users"]),
            (Sys::Finance, &["AP-Clerk"]),
        ],
    },
    Role {
        code: "FIN-CTRL",
        title: "Financial Controller",
        dept: "Finance",
        access: &[
            (Sys::Okta, &[ALL, "Finance"]),
            (Sys::Google, &[ALL_G, "finance@northwind.example"]),
            (Sys::Entra, &["Finance-Users"]),
            (Sys::Finance, &["GL-Approver", "Vendor-Master-Edit"]),
        ],
    },
    Role {
        code: "FIN-TREAS",
        title: "Treasury Analyst",
        dept: "Finance",
        access: &[
            (Sys::Okta, &[ALL, "Finance"]),
            (Sys::Google, &[ALL_G, "finance@northwind.example"]),
            (Sys::Entra, &["Finance-Users"]),
            (Sys::Finance, &["Payments-Release"]),
        ],
    },
    Role {
        code: "SALES-AE",
        title: "Account Executive",
        dept: "Sales",
        access: &[
            (Sys::Okta, &[ALL, "Sales"]),
            (Sys::Google, &[ALL_G, "sales@northwind.example"]),
            (Sys::Entra, &["Sales-Users"]),
        ],
    },
    Role {
        code: "HR-GEN",
        title: "People Partner",
        dept: "People",
        access: &[
            (Sys::Okta, &[ALL, "People"]),
            (Sys::Google, &[ALL_G, "people@northwind.example"]),
            (Sys::Entra, &["People-Users"]),
        ],
    },
    Role {
        code: "SEC-ENG",
        title: "Security Engineer",
        dept: "Security",
        access: &[
            (Sys::Okta, &[ALL, "Security"]),
            (Sys::Google, &[ALL_G, "security@northwind.example"]),
            (Sys::Github, &["northwind", "northwind/security"]),
            (Sys::Aws, &["SecurityAudit"]),
            (Sys::Linux, &["ops"]),
        ],
    },
    Role {
        code: "IT-ADMIN",
        title: "IT Administrator",
        dept: "IT",
        access: &[
            (Sys::Okta, &[ALL, "IT"]),
            (Sys::Google, &[ALL_G, "it@northwind.example"]),
            (Sys::Entra, &["IT-Admins"]),
            (Sys::Linux, &["ops", "sudo"]),
        ],
    },
];

pub fn role(code: &str) -> &'static Role {
    ROLES.iter().find(|r| r.code == code).unwrap_or(&ROLES[0])
}

/// The role's birthright entitlements in one system (empty when it has none there).
pub fn role_access(code: &str, sys: Sys) -> &'static [&'static str] {
    role(code)
        .access
        .iter()
        .find(|(s, _)| *s == sys)
        .map_or(&[], |a| a.1)
}

/// Random job codes for background people, with weights.
pub const ROLE_WEIGHTS: &[(&str, u64)] = &[
    ("ENG-SWE", 28),
    ("ENG-SRE", 6),
    ("DATA-ANL", 8),
    ("FIN-AP", 5),
    ("FIN-CTRL", 3),
    ("FIN-TREAS", 2),
    ("SALES-AE", 22),
    ("HR-GEN", 5),
    ("SEC-ENG", 4),
    ("IT-ADMIN", 4),
];

/// Kind of identity, as the NHI catalog and the HR extract spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Employee,
    Contractor,
    ServiceAccount,
    AccessKey,
    ApiToken,
    Certificate,
    Workload,
    AiAgent,
}

impl Kind {
    pub fn id(self) -> &'static str {
        match self {
            Kind::Employee => "employee",
            Kind::Contractor => "contractor",
            Kind::ServiceAccount => "service_account",
            Kind::AccessKey => "access_key",
            Kind::ApiToken => "api_token",
            Kind::Certificate => "certificate",
            Kind::Workload => "workload",
            Kind::AiAgent => "ai_agent",
        }
    }
    /// The NHI catalog's spelling (mapped by the built-in `nhi-catalog` profile).
    pub fn catalog(self) -> &'static str {
        match self {
            Kind::ServiceAccount => "Service Account",
            Kind::AccessKey => "AWS Access Key",
            Kind::ApiToken => "API Token",
            Kind::Certificate => "Certificate",
            Kind::Workload => "Workload Identity",
            Kind::AiAgent => "AI Agent",
            Kind::Employee => "Employee",
            Kind::Contractor => "Contractor",
        }
    }
    pub fn is_human(self) -> bool {
        matches!(self, Kind::Employee | Kind::Contractor)
    }
    pub fn is_credential(self) -> bool {
        matches!(self, Kind::AccessKey | Kind::ApiToken | Kind::Certificate)
    }
    /// Longest a credential may go without rotation, in days.
    pub fn max_credential_age_days(self) -> i64 {
        match self {
            Kind::Certificate => 398,
            _ => 180,
        }
    }
}

/// A family of non-human identities: what they are, where they live, their access profile.
#[derive(Debug)]
pub struct NhiTemplate {
    pub profile: &'static str,
    pub kind: Kind,
    pub sys: Sys,
    /// Account name pattern: `{}` is replaced by the NHI's short name.
    pub account: &'static str,
    pub ents: &'static [&'static str],
    pub names: &'static [&'static str],
}

pub const NHI_TEMPLATES: &[NhiTemplate] = &[
    NhiTemplate {
        profile: "nhi-aws-reporting",
        kind: Kind::ServiceAccount,
        sys: Sys::Aws,
        account: "svc-{}",
        ents: &["arn:aws:iam::111122223333:policy/reports-read"],
        names: &[
            "reports",
            "bi-export",
            "forecast",
            "ledger-sync",
            "crm-sync",
        ],
    },
    NhiTemplate {
        profile: "nhi-aws-backup",
        kind: Kind::ServiceAccount,
        sys: Sys::Aws,
        account: "svc-{}",
        ents: &["arn:aws:iam::111122223333:policy/s3-backup-write"],
        names: &["backup", "db-snapshots", "log-archive"],
    },
    NhiTemplate {
        profile: "nhi-aws-ci",
        kind: Kind::Workload,
        sys: Sys::Aws,
        account: "ci-{}",
        ents: &[POLICY_PROD_DEPLOY],
        names: &["deploy-api", "deploy-web", "deploy-workers", "terraform"],
    },
    NhiTemplate {
        profile: "nhi-okta-integration",
        kind: Kind::ApiToken,
        sys: Sys::Okta,
        account: "{}",
        ents: &[],
        names: &["scim-github", "hris-sync", "siem-export", "helpdesk-portal"],
    },
    NhiTemplate {
        profile: "nhi-entra-app",
        kind: Kind::ServiceAccount,
        sys: Sys::Entra,
        account: "sp-{}",
        ents: &["App-Readers"],
        names: &[
            "payroll-connector",
            "expense-sync",
            "teams-bot",
            "doc-signing",
        ],
    },
    NhiTemplate {
        profile: "nhi-github-app",
        kind: Kind::Workload,
        sys: Sys::Github,
        account: "{}",
        ents: &["northwind"],
        names: &[
            "renovate-northwind",
            "ci-runner-app",
            "codecov-nw",
            "slack-notifier-nw",
        ],
    },
    NhiTemplate {
        profile: "nhi-google-service",
        kind: Kind::ServiceAccount,
        sys: Sys::Google,
        account: "svc-{}@northwind.example",
        ents: &["service-accounts@northwind.example"],
        names: &["mail-relay", "calendar-sync", "directory-sync"],
    },
    NhiTemplate {
        profile: "nhi-k8s-app",
        kind: Kind::Workload,
        sys: Sys::K8s,
        account: "system:serviceaccount:apps:{}",
        ents: &["apps/app-runtime"],
        names: &[
            "api",
            "web",
            "worker",
            "scheduler",
            "billing",
            "search",
            "notifier",
            "ingest",
            "gateway",
            "mailer",
        ],
    },
    NhiTemplate {
        profile: "nhi-k8s-deployer",
        kind: Kind::Workload,
        sys: Sys::K8s,
        account: "system:serviceaccount:ci:{}",
        ents: &["prod/deployer"],
        names: &["argo-deployer", "flux-deployer", "release-bot"],
    },
    NhiTemplate {
        profile: "nhi-linux-service",
        kind: Kind::ServiceAccount,
        sys: Sys::Linux,
        account: "svc-{}@bastion",
        ents: &["svc"],
        names: &["backup", "ansible", "monitoring", "logship"],
    },
    NhiTemplate {
        profile: "nhi-finance-integration",
        kind: Kind::ApiToken,
        sys: Sys::Finance,
        account: "api-{}",
        ents: &["Reports-Read"],
        names: &["bank-feed", "expense-import", "tax-export", "payroll-post"],
    },
];

pub const FIRST: &[&str] = &[
    "ada", "alan", "alice", "amir", "ana", "anika", "ben", "bruno", "carla", "chen", "chloe",
    "dara", "david", "diego", "elena", "emil", "emma", "eva", "farid", "fatima", "felix", "grace",
    "hana", "hugo", "ida", "igor", "ines", "ivan", "jade", "james", "jana", "jon", "julia", "kai",
    "kara", "kofi", "lars", "lea", "leo", "lina", "luca", "maya", "mei", "milan", "mira", "nadia",
    "nils", "noah", "nora", "omar", "oscar", "paula", "priya", "quinn", "rafael", "rosa", "ruth",
    "sami", "sara", "sven", "tara", "theo", "tomas", "una", "vera", "victor", "wen", "yara",
    "yusuf", "zoe",
];
pub const LAST: &[&str] = &[
    "abbott", "adeyemi", "alvarez", "bauer", "becker", "berg", "castro", "chen", "costa", "dahl",
    "dias", "dubois", "eriksen", "fischer", "fonseca", "garcia", "haas", "hansen", "ito", "jensen",
    "kaur", "keller", "kim", "kovac", "lang", "larsen", "lopez", "martin", "meyer", "moreau",
    "nakamura", "novak", "okafor", "olsen", "park", "patel", "perez", "quist", "rossi", "sato",
    "schmidt", "silva", "singh", "sousa", "tanaka", "torres", "vargas", "vogel", "wagner", "weber",
    "wong", "yilmaz", "zhang",
];

/// Capitalises a name part for display.
pub fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}
