use super::{CheckContext, Finding};

pub fn run(ctx: &CheckContext) -> Finding {
    let _ = ctx.site();
    Finding::error("not implemented yet")
}
