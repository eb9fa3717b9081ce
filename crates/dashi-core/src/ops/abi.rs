//! The generated part of `docs/ABI.md`: the families, parameter blocks and op tables,
//! written from the registered specs (so the document cannot drift from the code).
//! `dashi-cli`'s `abi_doc` test compares the document with [`abi_tables`] over every
//! crate's families and rewrites it with `DASHI_BLESS=1`.

use super::{Access, Dispatch, ElemType, Family, OpSpec, ParamType};

fn access_str(a: Access) -> &'static str {
    match a {
        Access::Read => "R",
        Access::ReadWrite => "RW",
    }
}

fn elem_str(e: ElemType) -> &'static str {
    match e {
        ElemType::Real => "real",
        ElemType::U32 => "u32",
        ElemType::I32 => "i32",
    }
}

/// A dispatch rule as text: `threads(n) / 256`, `grid(n × n) / 64×4`, …
pub(crate) fn dispatch_str(d: &Dispatch) -> String {
    match d {
        Dispatch::Threads { count, workgroup } => format!("threads({}) / {workgroup}", count.describe()),
        Dispatch::Grid { x, y, wx, wy } => format!("grid({} × {}) / {wx}×{wy}", x.describe(), y.describe()),
        Dispatch::Tiled { x, y, tile_x, tile_y, wx, wy } => {
            format!("tiles({} × {}) of {tile_x}×{tile_y} / {wx}×{wy}", x.describe(), y.describe())
        }
        Dispatch::Single { workgroup } => format!("single({workgroup})"),
    }
}

fn ty_str(ty: ParamType) -> &'static str {
    match ty {
        ParamType::U32 => "u32",
        ParamType::F32 => "f32",
    }
}

/// One markdown row of the op table (pipes in formulas escaped).
fn op_row(spec: &OpSpec) -> String {
    let bindings: Vec<String> = spec
        .bindings
        .iter()
        .map(|b| format!("{}:{} {} {} [{}]", b.index, b.name, access_str(b.access), elem_str(b.elem), b.len.describe()))
        .collect();
    let params: Vec<String> = spec
        .params
        .fields
        .iter()
        .map(|f| {
            let size = if spec.sizes.contains(&f.name) { "⁺" } else { "" };
            format!("{}{size}: {}", f.name, ty_str(f.ty))
        })
        .collect();
    format!(
        "| `{}` | {} | {} | `{}` {} ({} B, binding {}) | {} | `{}` |",
        spec.name,
        spec.family.name,
        bindings.join("<br>"),
        spec.params.name,
        params.join(", "),
        spec.params.size,
        spec.bindings.len(),
        dispatch_str(&spec.dispatch),
        spec.summary.replace('|', "\\|"),
    )
}

/// The three generated tables of docs/ABI.md for `families` (every crate's, in
/// documentation order): families (owner, WGSL file, imports, flags), parameter
/// blocks (fields, size, ops), and ops (bindings, params, dispatch, formula).
pub fn abi_tables(families: &[&Family]) -> String {
    let mut out = String::new();
    out.push_str(
        "### Families\n\n| family | crate | WGSL imports | compiled | ops | what |\n|---|---|---|---|---|---|\n",
    );
    for f in families {
        let imports: Vec<&str> = f.imports.iter().map(|m| m.name).collect();
        let mut flags = vec![if f.trusted { "trusted (no runtime checks)" } else { "checked" }];
        if !f.zero_workgroup_memory {
            flags.push("workgroup memory not zeroed");
        }
        let ops: Vec<String> = f.ops.iter().map(|o| format!("`{}`", o.name)).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            f.name,
            f.owner,
            if imports.is_empty() { "—".to_string() } else { imports.join(", ") },
            flags.join(", "),
            ops.join(", "),
            f.doc
        ));
    }
    out.push_str("\n### Parameter blocks\n\n| struct | fields (offset 0, 4, 8, …) | size | ops |\n|---|---|---|---|\n");
    let mut blocks: Vec<(&'static str, String, usize, Vec<&str>)> = Vec::new();
    for op in families.iter().flat_map(|f| f.ops.iter()) {
        let layout = op.params;
        match blocks.iter_mut().find(|b| b.0 == layout.name) {
            Some(b) => b.3.push(op.name),
            None => {
                let fields: Vec<String> = layout
                    .fields
                    .iter()
                    .map(|f| match f.ty {
                        ParamType::U32 => format!("`{}`", f.name),
                        ParamType::F32 => format!("`{}: f32`", f.name),
                    })
                    .collect();
                blocks.push((layout.name, fields.join(", "), layout.size, vec![op.name]));
            }
        }
    }
    for (name, fields, size, ops) in blocks {
        out.push_str(&format!("| `{name}` | {fields} | {size} | {} |\n", ops.join(", ")));
    }
    out.push_str("\n### Ops\n\n| op | family | bindings | params | dispatch | formula |\n|---|---|---|---|---|---|\n");
    for op in families.iter().flat_map(|f| f.ops.iter()) {
        out.push_str(&op_row(op));
        out.push('\n');
    }
    out
}
