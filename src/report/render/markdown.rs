use crate::domain::Lang;
use crate::error::Result;
use crate::report::Report;
use std::io::Write;
pub fn render(_r: &Report, _l: Lang, _o: &mut dyn Write) -> Result<()> {
    anyhow::bail!("todo")
}
