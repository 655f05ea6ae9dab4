//! Templates: the picker's starting points, which a team can save and reuse per org. A template
//! is a filter (the one alert filter, age included) with a name and a description pattern for
//! the campaign; `{org}` and `{date}` in a pattern become the org and today's date.

use super::alert_filter::AlertFilter;
use super::campaign_fields::{DESCRIPTION_MAX, NAME_MAX};
use crate::error::{AppError, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A label's most characters.
pub const LABEL_MAX: usize = 60;
/// A filter value's most characters in a saved template.
const FILTER_VALUE_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// The store's id; `None` for the built-in ones.
    pub id: Option<i64>,
    pub label: String,
    pub filter: AlertFilter,
    pub name_pattern: String,
    pub description_pattern: String,
    /// Who saved it (`None`: built in).
    pub saved_by: Option<String>,
}

fn built(label: &str, filter: AlertFilter, name: &str, description: &str) -> Template {
    Template {
        id: None,
        label: label.to_owned(),
        filter,
        name_pattern: name.to_owned(),
        description_pattern: description.to_owned(),
        saved_by: None,
    }
}

/// The templates every org starts with: the picker's former starting points, and one that
/// uses the age filter.
pub fn built_in() -> Vec<Template> {
    let f = |set: fn(&mut AlertFilter)| {
        let mut filter = AlertFilter::default();
        set(&mut filter);
        filter
    };
    vec![
        built(
            "Critical and high",
            f(|f| f.severity = "critical+high".into()),
            "Critical and high alerts {date}",
            "Fix the critical and high severity alerts.",
        ),
        built(
            "Injection (CWE-89, CWE-78, CWE-79)",
            f(|f| f.cwe = "CWE-89, CWE-78, CWE-79".into()),
            "Injection {date}",
            "Fix SQL, command and script injection.",
        ),
        built(
            "Secrets and clear text",
            f(|f| f.cwe = "CWE-798, CWE-259, CWE-312".into()),
            "Secrets and clear text {date}",
            "Remove hard-coded credentials and secrets stored in clear text.",
        ),
        built(
            "Critical and high, older than 90 days",
            f(|f| {
                f.severity = "critical+high".into();
                f.older_than = "90".into();
            }),
            "Overdue critical and high {date}",
            "Critical and high alerts open for more than 90 days.",
        ),
    ]
}

/// `pattern` with `{org}` and `{date}` (YYYY-MM-DD) filled in.
pub fn expand(pattern: &str, org: &str, today: NaiveDate) -> String {
    pattern
        .replace("{org}", org)
        .replace("{date}", &today.format("%Y-%m-%d").to_string())
}

/// A template as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateForm {
    pub label: String,
    pub name_pattern: String,
    pub description_pattern: String,
    #[serde(flatten)]
    pub filter: AlertFilter,
}

impl TemplateForm {
    /// The template to keep, or every problem with its field.
    pub fn parse(&self) -> Result<Template, AppError> {
        let mut errors = Vec::new();
        let mut problem = |field: &str, message: String| {
            errors.push(FieldError {
                field: Some(field.into()),
                message,
            })
        };
        let label = self.label.trim();
        if label.is_empty() {
            problem("label", "Give the template a name.".into());
        } else if label.chars().count() > LABEL_MAX {
            problem(
                "label",
                format!("A template's name has at most {LABEL_MAX} characters."),
            );
        }
        if self.name_pattern.chars().count() > NAME_MAX {
            problem(
                "name_pattern",
                format!("A campaign name has at most {NAME_MAX} characters."),
            );
        }
        if self.description_pattern.chars().count() > DESCRIPTION_MAX {
            problem(
                "description_pattern",
                format!("A description has at most {DESCRIPTION_MAX} characters."),
            );
        }
        let mut filter = self.filter.clone();
        if let Some(message) = filter.age_problem() {
            problem("older_than", message);
        }
        for v in [
            &mut filter.repo,
            &mut filter.severity,
            &mut filter.tool,
            &mut filter.rule,
            &mut filter.cwe,
            &mut filter.path,
            &mut filter.q,
            &mut filter.older_than,
        ] {
            *v = v.trim().to_owned();
            if v.chars().count() > FILTER_VALUE_MAX {
                problem(
                    "filter",
                    format!("A filter value has at most {FILTER_VALUE_MAX} characters."),
                );
                break;
            }
        }
        if !errors.is_empty() {
            return Err(super::campaign_form::fields_need_attention(errors));
        }
        Ok(Template {
            id: None,
            label: label.to_owned(),
            filter,
            name_pattern: self.name_pattern.trim().to_owned(),
            description_pattern: self.description_pattern.trim().to_owned(),
            saved_by: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_templates_are_the_old_starting_points_and_an_aged_one() {
        let all = built_in();
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].filter.severity, "critical+high");
        assert_eq!(all[3].filter.older_than_days(), Some(90));
        assert!(all
            .iter()
            .all(|t| t.name_pattern.chars().count() <= NAME_MAX));
    }

    #[test]
    fn patterns_fill_in_the_org_and_the_date() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            expand("SQLi {org} {date}", "acme", day),
            "SQLi acme 2026-11-27"
        );
        assert_eq!(expand("plain", "acme", day), "plain");
    }

    #[test]
    fn a_template_needs_a_label_and_fitting_patterns() {
        let ok = TemplateForm {
            label: " SQLi in prod ".into(),
            name_pattern: "SQLi {date}".into(),
            filter: AlertFilter {
                cwe: " CWE-89 ".into(),
                path: "prod/".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let t = ok.parse().unwrap();
        assert_eq!(
            (t.label.as_str(), t.filter.cwe.as_str()),
            ("SQLi in prod", "CWE-89")
        );
        let bad = TemplateForm {
            name_pattern: "x".repeat(NAME_MAX + 1),
            filter: AlertFilter {
                older_than: "soon".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let err = bad.parse().unwrap_err();
        for field in ["label", "name_pattern", "older_than"] {
            assert!(err.field_message(field).is_some(), "{field}");
        }
    }
}
