//! The bundled demo registry: the native CSV files of `fixtures/demo/`,
//! compiled into the binary so `ipart init --demo` and `--demo` work from
//! anywhere. The 2023 figures of the I-Partnerschap infographic come out of
//! this data; `fixtures/demo/README.md` explains how.

use crate::domain::today;
use crate::error::Result;
use crate::native::{Kind, file};
use crate::store::Registry;

/// The demo files, in load order (a file may refer to those before it).
pub const FILES: &[(Kind, &[u8])] = &[
    (Kind::Theme, include_bytes!("../fixtures/demo/themes.csv")),
    (Kind::Partner, include_bytes!("../fixtures/demo/partners.csv")),
    (Kind::Lab, include_bytes!("../fixtures/demo/labs.csv")),
    (Kind::Community, include_bytes!("../fixtures/demo/communities.csv")),
    (Kind::Assignment, include_bytes!("../fixtures/demo/assignments.csv")),
    (Kind::Phd, include_bytes!("../fixtures/demo/phds.csv")),
    (Kind::Activity, include_bytes!("../fixtures/demo/activities.csv")),
    (Kind::Curriculum, include_bytes!("../fixtures/demo/curricula.csv")),
    (Kind::Chair, include_bytes!("../fixtures/demo/chairs.csv")),
    (Kind::Question, include_bytes!("../fixtures/demo/questions.csv")),
    (Kind::Metric, include_bytes!("../fixtures/demo/metrics.csv")),
];

/// Loads the demo data into `registry` in one transaction; returns how many
/// records of each kind were added.
pub fn load(registry: &mut Registry) -> Result<Vec<(Kind, usize)>> {
    let today = today()?;
    registry.write("init --demo", |w| {
        let mut counts = Vec::new();
        for (kind, data) in FILES {
            let name = format!("fixtures/demo/{}", kind.file_name());
            counts.push((*kind, file::load(w, *kind, &name, data, today)?));
        }
        Ok(counts)
    })
}
