use crate::domain::Lang;
use crate::error::Result;
use crate::output::Style;
use crate::report::Report;
use std::io::Write;
pub fn render(_r: &Report, _l: Lang, _s: Style, _o: &mut dyn Write) -> Result<()> {
    anyhow::bail!("todo")
}
