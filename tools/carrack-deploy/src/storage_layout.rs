//! Storage versions: the SCALE encoding shape of a contract's storage, so an upgrade to
//! code that cannot decode the deployed storage is refused before governance queues it
//! (audit I-5: such code traps in every message, `set_code_hash` included, so it could
//! never be rolled back).
//!
//! The shape is the ink! metadata's `storage` layout tree (`root`, `struct`, `enum`,
//! `leaf`, `array`, `hash` nodes) with every leaf's type id replaced by that type's
//! structural SCALE shape, resolved through the `types` registry: a composite is its
//! fields' shapes in order, a variant type its variants' indices and fields, then
//! sequences, arrays, tuples, compacts, bit sequences and primitives. Storage keys, field
//! order and variant indices are kept; field, variant and type names are not (they do not
//! change the encoding) and neither are type ids (renumbered between builds). A `Mapping`
//! or other `ink_storage` root also records its kind and key type (`Mapping<K>`).
//!
//! Its canonical text (one line per layout node, indented) is hashed with blake2b-256:
//! that is the contract's **storage version**. Two codes are upgrade-compatible only if
//! their versions are equal. This is deliberately conservative: *any* shape change is
//! refused, including ones old values would still decode (an appended enum variant, a
//! newtype wrapper, a packed struct turned into a storage item): a migration, or a
//! reviewed decision to bypass the check, is needed for each of them.
//!
//! `contracts/<crate>/storage-layout.txt` holds each contract's shape ([`StorageShape::snapshot`]):
//! the version on the first line, then the canonical lines, each followed by a `# path`
//! comment naming the node (comments are not part of the version).

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Hashed before the canonical text: a change of this format changes every version.
const FORMAT: &[u8] = b"carrack-storage-shape/v1";

/// Deeper type nesting than any contract's storage has: the metadata is malformed.
const MAX_DEPTH: usize = 128;

/// A type's SCALE shape. Names are kept only to name paths in messages.
#[derive(Clone, Debug)]
enum Ty {
    Primitive(String),
    Composite(Vec<Field<Ty>>),
    Variant(Vec<Variant<Ty>>),
    Sequence(Box<Ty>),
    Array(u64, Box<Ty>),
    Tuple(Vec<Ty>),
    Compact(Box<Ty>),
    BitSequence(Box<Ty>, Box<Ty>),
    /// The type being expanded `n` type references up: a recursive type.
    Recursive(usize),
}

#[derive(Clone, Debug)]
struct Field<T> {
    name: Option<String>,
    shape: T,
}

#[derive(Clone, Debug)]
struct Variant<T> {
    index: u64,
    name: String,
    fields: Vec<Field<T>>,
}

/// A storage layout node.
#[derive(Clone, Debug)]
enum Layout {
    /// Its own storage cell(s) at `key`; `container` for `ink_storage` types
    /// (`Mapping`, `Lazy`, `StorageVec`): their kind and type parameters but `V` (the
    /// value, which is `layout`) and `KeyType` (which is `key`).
    Root {
        key: String,
        container: Option<Container>,
        layout: Box<Layout>,
    },
    Leaf {
        key: String,
        ty: Ty,
    },
    Struct(Vec<Field<Layout>>),
    Enum {
        key: String,
        variants: Vec<Variant<Layout>>,
    },
    Array {
        offset: String,
        len: u64,
        layout: Box<Layout>,
    },
    Hash {
        offset: String,
        strategy: String,
        layout: Box<Layout>,
    },
}

/// An `ink_storage` root type's kind (`Mapping`) and its parameters' names and shapes.
type Container = (String, Vec<(String, Ty)>);

/// A contract's storage shape.
#[derive(Clone, Debug)]
pub struct StorageShape {
    /// The metadata's contract name (e.g. `carrack-pool`).
    pub contract: String,
    layout: Layout,
}

/// Where two shapes first differ (depth first, in field order), with names from the
/// current code (or the new one where only it has the node).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub path: String,
    pub current: String,
    pub new: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} vs {}", self.path, self.current, self.new)
    }
}

// ---------------------------------------------------------------------------------------
// Reading metadata

/// The `types` registry of ink! metadata.
struct Registry<'a> {
    types: BTreeMap<u64, &'a Map<String, Value>>,
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>> {
    value
        .as_object()
        .with_context(|| format!("{what} is not a JSON object"))
}

fn string(value: &Value, what: &str) -> Result<String> {
    value
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("{what} is not a string"))
}

/// A storage key or hex string, lowercased.
fn key(value: &Value, what: &str) -> Result<String> {
    string(value, what).map(|k| k.to_ascii_lowercase())
}

fn number(value: &Value, what: &str) -> Result<u64> {
    value
        .as_u64()
        .with_context(|| format!("{what} is not a number"))
}

/// The one `kind: body` entry of an externally tagged JSON enum (`{"leaf": {..}}`).
fn tagged<'a>(value: &'a Value, what: &str) -> Result<(&'a str, &'a Value)> {
    let map = object(value, what)?;
    match (map.len(), map.iter().next()) {
        (1, Some((kind, body))) => Ok((kind.as_str(), body)),
        _ => bail!("{what} must have exactly one kind, found {map:?}"),
    }
}

/// An optional JSON array (absent or null means empty).
fn array<'a>(value: Option<&'a Value>, what: &str) -> Result<&'a [Value]> {
    match value {
        None | Some(Value::Null) => Ok(&[]),
        Some(v) => v
            .as_array()
            .map(Vec::as_slice)
            .with_context(|| format!("{what} is not an array")),
    }
}

impl<'a> Registry<'a> {
    fn new(types: &'a Value) -> Result<Self> {
        let mut map = BTreeMap::new();
        for entry in types.as_array().context("`types` is not an array")? {
            let id = number(&entry["id"], "a type's id")?;
            let ty = object(&entry["type"], &format!("type {id}"))?;
            if map.insert(id, ty).is_some() {
                bail!("type id {id} appears twice in the registry");
            }
        }
        Ok(Registry { types: map })
    }

    fn get(&self, id: u64) -> Result<&'a Map<String, Value>> {
        self.types
            .get(&id)
            .copied()
            .with_context(|| format!("type {id} is not in the registry"))
    }

    /// The shape of type `id`; `stack` holds the ids being expanded (for recursion).
    fn shape(&self, id: u64, stack: &mut Vec<u64>) -> Result<Ty> {
        if let Some(pos) = stack.iter().rposition(|&s| s == id) {
            return Ok(Ty::Recursive(stack.len() - pos));
        }
        if stack.len() >= MAX_DEPTH {
            bail!("types nest deeper than {MAX_DEPTH} levels (at type {id})");
        }
        let ty = self.get(id)?;
        let what = format!("type {id}");
        let def = ty
            .get("def")
            .with_context(|| format!("{what} has no def"))?;
        let (kind, body) = tagged(def, &format!("{what}'s def"))?;
        stack.push(id);
        let shape = (|| -> Result<Ty> {
            Ok(match kind {
                "primitive" => Ty::Primitive(string(body, &what)?),
                "composite" => Ty::Composite(self.fields(body.get("fields"), stack, &what)?),
                "variant" => {
                    let mut variants = Vec::new();
                    for v in array(body.get("variants"), &what)? {
                        variants.push(Variant {
                            index: number(&v["index"], &format!("{what}'s variant index"))?,
                            name: string(&v["name"], &format!("{what}'s variant name"))?,
                            fields: self.fields(v.get("fields"), stack, &what)?,
                        });
                    }
                    sort_variants(&mut variants, &what)?;
                    Ty::Variant(variants)
                }
                "sequence" => Ty::Sequence(Box::new(self.reference(&body["type"], stack)?)),
                "array" => Ty::Array(
                    number(&body["len"], &format!("{what}'s len"))?,
                    Box::new(self.reference(&body["type"], stack)?),
                ),
                "tuple" => Ty::Tuple(
                    array(Some(body), &what)?
                        .iter()
                        .map(|t| self.reference(t, stack))
                        .collect::<Result<_>>()?,
                ),
                "compact" => Ty::Compact(Box::new(self.reference(&body["type"], stack)?)),
                "bitSequence" => Ty::BitSequence(
                    Box::new(self.reference(&body["bitStoreType"], stack)?),
                    Box::new(self.reference(&body["bitOrderType"], stack)?),
                ),
                other => bail!("{what} has an unknown kind `{other}`"),
            })
        })();
        stack.pop();
        shape
    }

    fn reference(&self, id: &Value, stack: &mut Vec<u64>) -> Result<Ty> {
        self.shape(number(id, "a type reference")?, stack)
    }

    fn fields(
        &self,
        fields: Option<&Value>,
        stack: &mut Vec<u64>,
        what: &str,
    ) -> Result<Vec<Field<Ty>>> {
        array(fields, &format!("{what}'s fields"))?
            .iter()
            .map(|f| {
                Ok(Field {
                    name: f.get("name").and_then(Value::as_str).map(str::to_string),
                    shape: self.reference(&f["type"], stack)?,
                })
            })
            .collect()
    }

    /// The kind and parameters (but `V` and `KeyType`) of an `ink_storage` root type.
    fn container(&self, id: u64) -> Result<Option<Container>> {
        let ty = self.get(id)?;
        let path: Vec<&str> = array(ty.get("path"), "a type path")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if !path.first().is_some_and(|p| p.starts_with("ink_storage")) {
            return Ok(None);
        }
        let kind = path.last().copied().unwrap_or_default().to_string();
        let mut params = Vec::new();
        for param in array(ty.get("params"), "type params")? {
            let name = param.get("name").and_then(Value::as_str).unwrap_or("");
            if name == "V" || name == "KeyType" {
                continue;
            }
            let shape = match param.get("type") {
                Some(Value::Null) | None => Ty::Primitive("?".to_string()),
                Some(t) => self.reference(t, &mut Vec::new())?,
            };
            params.push((name.to_string(), shape));
        }
        Ok(Some((kind, params)))
    }

    /// The layout at `path`; `top` for the storage's own root.
    fn layout(&self, node: &Value, path: &str, top: bool) -> Result<Layout> {
        let (kind, body) = tagged(node, &format!("layout at {path}"))?;
        let what = format!("{kind} layout at {path}");
        Ok(match kind {
            "root" => {
                let ty = number(&body["ty"], &what)?;
                Layout::Root {
                    key: key(&body["root_key"], &what)?,
                    container: self.container(ty)?,
                    layout: Box::new(self.layout(
                        &body["layout"],
                        &root_inner_path(path, top),
                        false,
                    )?),
                }
            }
            "leaf" => {
                let ty = number(&body["ty"], &what)?;
                Layout::Leaf {
                    key: key(&body["key"], &what)?,
                    ty: self
                        .shape(ty, &mut Vec::new())
                        .with_context(|| format!("the type of {path}"))?,
                }
            }
            "struct" => Layout::Struct(self.layout_fields(body.get("fields"), path)?),
            "enum" => {
                let variants_map = object(&body["variants"], &what)?;
                let mut variants = Vec::new();
                for (index, v) in variants_map {
                    let index = index
                        .parse()
                        .with_context(|| format!("{what}: variant index `{index}`"))?;
                    let name = string(&v["name"], &what)?;
                    let fields = self.layout_fields(v.get("fields"), &format!("{path}.{name}"))?;
                    variants.push(Variant {
                        index,
                        name,
                        fields,
                    });
                }
                sort_variants(&mut variants, &what)?;
                Layout::Enum {
                    key: key(&body["dispatchKey"], &what)?,
                    variants,
                }
            }
            "array" => Layout::Array {
                offset: key(&body["offset"], &what)?,
                len: number(&body["len"], &what)?,
                layout: Box::new(self.layout(&body["layout"], &format!("{path}[..]"), false)?),
            },
            "hash" => {
                let s = &body["strategy"];
                Layout::Hash {
                    offset: key(&body["offset"], &what)?,
                    strategy: format!(
                        "{} prefix {} postfix {}",
                        string(&s["hasher"], &what)?,
                        string(&s["prefix"], &what)?,
                        string(&s["postfix"], &what)?
                    ),
                    layout: Box::new(self.layout(
                        &body["layout"],
                        &format!("{path}.<hashed>"),
                        false,
                    )?),
                }
            }
            other => bail!("unknown layout kind `{other}` at {path}"),
        })
    }

    fn layout_fields(&self, fields: Option<&Value>, path: &str) -> Result<Vec<Field<Layout>>> {
        array(fields, &format!("struct fields at {path}"))?
            .iter()
            .map(|f| {
                let name = string(&f["name"], &format!("a field name at {path}"))?;
                let layout = self.layout(&f["layout"], &format!("{path}.{name}"), false)?;
                Ok(Field {
                    name: Some(name),
                    shape: layout,
                })
            })
            .collect()
    }
}

fn sort_variants<T>(variants: &mut [Variant<T>], what: &str) -> Result<()> {
    variants.sort_by_key(|v| v.index);
    if let Some(w) = variants.windows(2).find(|w| w[0].index == w[1].index) {
        bail!("{what}: variant index {} appears twice", w[0].index);
    }
    Ok(())
}

impl StorageShape {
    /// The shape of ink! metadata (a `.contract` bundle's or a `.json` metadata file's).
    pub fn from_json(metadata: &Value) -> Result<Self> {
        match &metadata["version"] {
            Value::String(v) if v == "4" || v == "5" => {}
            Value::Number(v) if v.as_u64() == Some(4) || v.as_u64() == Some(5) => {}
            other => bail!("unsupported ink! metadata version {other} (expected 4 or 5)"),
        }
        let contract = metadata["contract"]["name"]
            .as_str()
            .unwrap_or("?")
            .to_string();
        let registry = Registry::new(&metadata["types"])?;
        let storage = metadata
            .get("storage")
            .context("the metadata has no `storage` layout")?;
        let layout = registry.layout(storage, "root", true)?;
        if !matches!(layout, Layout::Root { .. }) {
            bail!("the storage layout does not start with a root");
        }
        Ok(StorageShape { contract, layout })
    }

    /// The shape of a `.contract` bundle or `.json` metadata file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let json: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON ink! metadata", path.display()))?;
        Self::from_json(&json).with_context(|| format!("{}", path.display()))
    }

    /// The layout's lines, depth first, each with the path of the node it describes.
    fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        layout_lines(&self.layout, 0, "root", true, &mut lines);
        lines
    }

    /// The canonical text: one line per layout node, two spaces of indentation per level,
    /// no names.
    pub fn canonical_text(&self) -> String {
        canonical_text(&self.lines())
    }

    /// The storage version: `0x` and blake2b-256 of the format tag and the canonical text.
    pub fn version(&self) -> String {
        version_of(&self.canonical_text())
    }

    /// The `storage-layout.txt` snapshot: the version, a comment, then the canonical
    /// lines, each with a `# path` comment.
    pub fn snapshot(&self) -> String {
        let lines = self.lines();
        let width = lines
            .iter()
            .map(|l| l.canonical().len())
            .max()
            .unwrap_or(0)
            .min(60);
        let mut out = format!(
            "storage-version {}\n\
             # {}: the SCALE shape of its storage (carrack-deploy storage-layout).\n\
             # The version hashes the lines below without their `# path` comments.\n",
            self.version(),
            self.contract
        );
        for line in &lines {
            let canonical = line.canonical();
            out.push_str(&format!("{canonical:<width$}  # {}\n", line.path));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Canonical text

struct Line {
    depth: usize,
    text: String,
    path: String,
}

impl Line {
    fn canonical(&self) -> String {
        format!("{}{}", "  ".repeat(self.depth), self.text)
    }
}

fn canonical_text(lines: &[Line]) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(&line.canonical());
        text.push('\n');
    }
    text
}

fn version_of(canonical: &str) -> String {
    format!(
        "0x{}",
        hex::encode(crate::manifest::blake2_256(&[FORMAT, canonical.as_bytes()]))
    )
}

fn ty_text(ty: &Ty) -> String {
    match ty {
        Ty::Primitive(p) => p.clone(),
        Ty::Composite(fields) => fields_text(fields),
        Ty::Variant(variants) => format!(
            "enum{{{}}}",
            variants
                .iter()
                .map(|v| format!("{}: {}", v.index, fields_text(&v.fields)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Sequence(t) => format!("[{}]", ty_text(t)),
        Ty::Array(len, t) => format!("[{}; {len}]", ty_text(t)),
        Ty::Tuple(ts) if ts.len() == 1 => format!("({},)", ty_text(&ts[0])),
        Ty::Tuple(ts) => format!(
            "({})",
            ts.iter().map(ty_text).collect::<Vec<_>>().join(", ")
        ),
        Ty::Compact(t) => format!("compact<{}>", ty_text(t)),
        Ty::BitSequence(s, o) => format!("bits<{}, {}>", ty_text(s), ty_text(o)),
        Ty::Recursive(n) => format!("rec^{n}"),
    }
}

fn fields_text(fields: &[Field<Ty>]) -> String {
    format!(
        "{{{}}}",
        fields
            .iter()
            .map(|f| ty_text(&f.shape))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn container_text(container: &Option<Container>) -> String {
    match container {
        None => String::new(),
        Some((kind, params)) if params.is_empty() => format!(" {kind}"),
        Some((kind, params)) => format!(
            " {kind}<{}>",
            params
                .iter()
                .map(|(_, t)| ty_text(t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The one-line text of a layout node (without its children).
fn node_text(layout: &Layout) -> String {
    match layout {
        Layout::Root { key, container, .. } => format!("root {key}{}", container_text(container)),
        Layout::Leaf { key, ty } => format!("leaf {key} {}", ty_text(ty)),
        Layout::Struct(_) => "struct".to_string(),
        Layout::Enum { key, .. } => format!("enum {key}"),
        Layout::Array { offset, len, .. } => format!("array {offset} len {len}"),
        Layout::Hash {
            offset, strategy, ..
        } => format!("hash {offset} {strategy}"),
    }
}

fn field_path(path: &str, name: Option<&str>, index: usize) -> String {
    match name {
        Some(name) => format!("{path}.{name}"),
        None => format!("{path}.{index}"),
    }
}

/// The path of what a root holds: the top-level root's struct is `root` itself, a nested
/// root's (a `Mapping`'s or `Lazy`'s) value is `<path>.<value>`.
fn root_inner_path(path: &str, top: bool) -> String {
    if top {
        path.to_string()
    } else {
        format!("{path}.<value>")
    }
}

fn layout_lines(layout: &Layout, depth: usize, path: &str, top: bool, out: &mut Vec<Line>) {
    out.push(Line {
        depth,
        text: node_text(layout),
        path: path.to_string(),
    });
    match layout {
        Layout::Root { layout, .. } => {
            layout_lines(layout, depth + 1, &root_inner_path(path, top), false, out)
        }
        Layout::Leaf { .. } => {}
        Layout::Struct(fields) => {
            for (i, f) in fields.iter().enumerate() {
                let p = field_path(path, f.name.as_deref(), i);
                layout_lines(&f.shape, depth + 1, &p, false, out);
            }
        }
        Layout::Enum { variants, .. } => {
            for v in variants {
                let p = format!("{path}.{}", v.name);
                out.push(Line {
                    depth: depth + 1,
                    text: format!("variant {}", v.index),
                    path: p.clone(),
                });
                for (i, f) in v.fields.iter().enumerate() {
                    let fp = field_path(&p, f.name.as_deref(), i);
                    layout_lines(&f.shape, depth + 2, &fp, false, out);
                }
            }
        }
        Layout::Array { layout, .. } => {
            layout_lines(layout, depth + 1, &format!("{path}[..]"), false, out)
        }
        Layout::Hash { layout, .. } => {
            layout_lines(layout, depth + 1, &format!("{path}.<hashed>"), false, out)
        }
    }
}

/// A short description of a layout node for messages: a leaf's type, else its kind.
fn layout_summary(layout: &Layout) -> String {
    match layout {
        Layout::Leaf { ty, .. } => ty_text(ty),
        Layout::Struct(fields) => format!("a struct of {} fields", fields.len()),
        Layout::Enum { variants, .. } => format!("an enum of {} variants", variants.len()),
        other => node_text(other),
    }
}

/// At most 80 characters.
fn short(text: String) -> String {
    if text.chars().count() <= 80 {
        text
    } else {
        format!("{}…", text.chars().take(79).collect::<String>())
    }
}

// ---------------------------------------------------------------------------------------
// Comparison

/// Where `new`'s shape first differs from `current`'s, if it does.
pub fn first_difference(current: &StorageShape, new: &StorageShape) -> Option<Difference> {
    diff_layout(&current.layout, &new.layout, "root", true)
}

fn here(path: &str, current: String, new: String) -> Option<Difference> {
    Some(Difference {
        path: path.to_string(),
        current: short(current),
        new: short(new),
    })
}

fn diff_ty(a: &Ty, b: &Ty, path: &str) -> Option<Difference> {
    match (a, b) {
        (Ty::Composite(x), Ty::Composite(y)) => diff_fields(x, y, path, diff_ty, ty_text),
        (Ty::Variant(x), Ty::Variant(y)) => {
            diff_variants(x, y, path, diff_ty, ty_text, fields_text)
        }
        (Ty::Sequence(x), Ty::Sequence(y)) => diff_ty(x, y, &format!("{path}[..]")),
        (Ty::Array(n, x), Ty::Array(m, y)) if n == m => diff_ty(x, y, &format!("{path}[..]")),
        (Ty::Tuple(x), Ty::Tuple(y)) => {
            let fields = |ts: &[Ty]| -> Vec<Field<Ty>> {
                ts.iter()
                    .map(|t| Field {
                        name: None,
                        shape: t.clone(),
                    })
                    .collect()
            };
            diff_fields(&fields(x), &fields(y), path, diff_ty, ty_text)
        }
        _ => {
            let (x, y) = (ty_text(a), ty_text(b));
            if x == y {
                None
            } else {
                here(path, x, y)
            }
        }
    }
}

fn diff_fields<T>(
    a: &[Field<T>],
    b: &[Field<T>],
    path: &str,
    diff: fn(&T, &T, &str) -> Option<Difference>,
    text: fn(&T) -> String,
) -> Option<Difference> {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let p = field_path(path, x.name.as_deref().or(y.name.as_deref()), i);
        if let Some(d) = diff(&x.shape, &y.shape, &p) {
            return Some(d);
        }
    }
    let i = a.len().min(b.len());
    let absent = format!("no field {i}");
    match (a.get(i), b.get(i)) {
        (Some(x), None) => here(
            &field_path(path, x.name.as_deref(), i),
            text(&x.shape),
            absent,
        ),
        (None, Some(y)) => here(
            &field_path(path, y.name.as_deref(), i),
            absent,
            text(&y.shape),
        ),
        _ => None,
    }
}

fn diff_variants<T>(
    a: &[Variant<T>],
    b: &[Variant<T>],
    path: &str,
    diff: fn(&T, &T, &str) -> Option<Difference>,
    field_text: fn(&T) -> String,
    fields_text: fn(&[Field<T>]) -> String,
) -> Option<Difference> {
    let indices: BTreeSet<u64> = a.iter().chain(b).map(|v| v.index).collect();
    for index in indices {
        let absent = || format!("no variant {index}");
        let present = |v: &Variant<T>| format!("variant {index} {}", fields_text(&v.fields));
        let d = match (
            a.iter().find(|v| v.index == index),
            b.iter().find(|v| v.index == index),
        ) {
            (Some(x), Some(y)) => {
                let p = format!("{path}.{}", x.name);
                diff_fields(&x.fields, &y.fields, &p, diff, field_text)
            }
            (Some(x), None) => here(&format!("{path}.{}", x.name), present(x), absent()),
            (None, Some(y)) => here(&format!("{path}.{}", y.name), absent(), present(y)),
            (None, None) => None,
        };
        if d.is_some() {
            return d;
        }
    }
    None
}

fn layout_fields_text(fields: &[Field<Layout>]) -> String {
    format!(
        "{{{}}}",
        fields
            .iter()
            .map(|f| layout_summary(&f.shape))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn diff_layout(a: &Layout, b: &Layout, path: &str, top: bool) -> Option<Difference> {
    match (a, b) {
        (
            Layout::Root {
                key: ka,
                container: ca,
                layout: la,
            },
            Layout::Root {
                key: kb,
                container: cb,
                layout: lb,
            },
        ) => {
            if ka != kb {
                return here(path, format!("root key {ka}"), format!("root key {kb}"));
            }
            match (ca, cb) {
                (Some((x, px)), Some((y, py))) if x == y && px.len() == py.len() => {
                    for ((name, p), (_, q)) in px.iter().zip(py) {
                        let label = if name == "K" { "key" } else { name };
                        if let Some(d) = diff_ty(p, q, &format!("{path}.<{label}>")) {
                            return Some(d);
                        }
                    }
                }
                _ if container_text(ca) != container_text(cb) => {
                    return here(path, node_text(a), node_text(b));
                }
                _ => {}
            }
            diff_layout(la, lb, &root_inner_path(path, top), false)
        }
        (Layout::Leaf { key: ka, ty: ta }, Layout::Leaf { key: kb, ty: tb }) => {
            if ka != kb {
                return here(path, format!("key {ka}"), format!("key {kb}"));
            }
            diff_ty(ta, tb, path)
        }
        (Layout::Struct(x), Layout::Struct(y)) => diff_fields(
            x,
            y,
            path,
            |a, b, p| diff_layout(a, b, p, false),
            layout_summary,
        ),
        (
            Layout::Enum {
                key: ka,
                variants: va,
            },
            Layout::Enum {
                key: kb,
                variants: vb,
            },
        ) => {
            if ka != kb {
                return here(path, format!("enum key {ka}"), format!("enum key {kb}"));
            }
            diff_variants(
                va,
                vb,
                path,
                |a, b, p| diff_layout(a, b, p, false),
                layout_summary,
                layout_fields_text,
            )
        }
        _ => {
            let (x, y) = (node_text(a), node_text(b));
            if x != y {
                return here(path, x, y);
            }
            match (a, b) {
                (Layout::Array { layout: la, .. }, Layout::Array { layout: lb, .. }) => {
                    diff_layout(la, lb, &format!("{path}[..]"), false)
                }
                (Layout::Hash { layout: la, .. }, Layout::Hash { layout: lb, .. }) => {
                    diff_layout(la, lb, &format!("{path}.<hashed>"), false)
                }
                _ => None,
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots and the commands

/// A `storage-layout.txt` snapshot read back: its version and its canonical lines, each
/// with the path of its `# path` comment.
pub struct Snapshot {
    pub version: String,
    lines: Vec<(String, String)>,
}

impl Snapshot {
    /// Parses a snapshot and checks that its lines hash to its version (no hand edits).
    pub fn parse(text: &str) -> Result<Self> {
        let mut lines = text.lines();
        let version = lines
            .next()
            .and_then(|l| l.strip_prefix("storage-version "))
            .context(
                "not a storage-layout snapshot (its first line must be `storage-version 0x…`)",
            )?
            .trim()
            .to_string();
        let mut body = Vec::new();
        for line in lines {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            // Canonical text never contains `#`.
            let (canonical, path) = line.split_once('#').unwrap_or((line, ""));
            body.push((canonical.trim_end().to_string(), path.trim().to_string()));
        }
        let snapshot = Snapshot {
            version,
            lines: body,
        };
        let actual = version_of(&snapshot.canonical_text());
        if actual != snapshot.version {
            bail!(
                "the snapshot's lines hash to {actual}, not to its storage-version {}: it was edited by hand (regenerate it with `carrack-deploy storage-layout`)",
                snapshot.version
            );
        }
        Ok(snapshot)
    }

    fn canonical_text(&self) -> String {
        let mut text = String::new();
        for (line, _) in &self.lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// The first line where `new`'s shape differs from this snapshot: a line only one
    /// side has (the next lines agreeing), or a changed line.
    pub fn first_difference(&self, new: &StorageShape) -> Option<Difference> {
        let new_lines = new.lines();
        let current = |i: usize| self.lines.get(i).map(|(text, _)| text.as_str());
        let new_at = |i: usize| new_lines.get(i).map(Line::canonical);
        let i = (0..self.lines.len().max(new_lines.len()))
            .find(|&i| current(i) != new_at(i).as_deref())?;
        let absent = || "absent".to_string();
        let current_line = self.lines.get(i);
        let new_line = new_lines.get(i);
        // One line inserted or removed, the rest the same; else a changed line.
        let rest = |a: usize, b: usize| {
            self.lines.len() - a == new_lines.len() - b
                && (a..self.lines.len()).all(|j| current(j) == new_at(j + b - a).as_deref())
        };
        let inserted = new_lines.len() > i && rest(i, i + 1);
        let removed = self.lines.len() > i && rest(i + 1, i);
        match (current_line, new_line) {
            (_, Some(b)) if inserted => here(&b.path, absent(), b.text.clone()),
            (Some((a, path)), _) if removed => here(path, a.trim().to_string(), absent()),
            (Some((a, path)), Some(b)) => here(path, a.trim().to_string(), b.text.clone()),
            _ => None,
        }
    }
}

/// The deployed code's side of `check-upgrade`: a bundle (or metadata), or a snapshot.
pub enum Current {
    Shape(StorageShape),
    Snapshot(Snapshot),
}

impl Current {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if text.starts_with("storage-version ") {
            return Snapshot::parse(&text)
                .map(Current::Snapshot)
                .with_context(|| format!("{}", path.display()));
        }
        StorageShape::load(path).map(Current::Shape)
    }

    pub fn version(&self) -> String {
        match self {
            Current::Shape(shape) => shape.version(),
            Current::Snapshot(snapshot) => snapshot.version.clone(),
        }
    }

    pub fn first_difference(&self, new: &StorageShape) -> Option<Difference> {
        match self {
            Current::Shape(shape) => first_difference(shape, new),
            Current::Snapshot(snapshot) => snapshot.first_difference(new),
        }
    }
}

/// `carrack-deploy storage-layout`: prints a bundle's snapshot.
pub fn print_layout(bundle: &Path) -> Result<()> {
    let shape = StorageShape::load(bundle)?;
    // Like `out!`: a closed stdout (`| head`) is not an error.
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(shape.snapshot().as_bytes());
    Ok(())
}

/// `carrack-deploy check-upgrade`: prints both storage versions; the refusal (an error
/// message) if the new code's storage shape differs from the current one.
pub fn check_upgrade(current: &Path, new: &Path) -> Result<Option<String>> {
    let current_shape = Current::load(current)?;
    let new_shape = StorageShape::load(new)?;
    out!(
        "current storage version {}  {}",
        current_shape.version(),
        current.display()
    );
    out!(
        "new     storage version {}  {}",
        new_shape.version(),
        new.display()
    );
    if let Current::Shape(shape) = &current_shape {
        if shape.contract != new_shape.contract {
            tracing::warn!(
                "the bundles are of different contracts: {} and {}",
                shape.contract,
                new_shape.contract
            );
        }
    }
    match current_shape.first_difference(&new_shape) {
        None => {
            out!("compatible: the new code decodes the current storage");
            Ok(None)
        }
        Some(d) => Ok(Some(format!(
            "storage layout changed at {} (current {}, new {}): the new code cannot decode \
             the deployed storage, so every message would trap, set_code_hash included, and \
             it could not be rolled back; governance must not queue set_code_hash to this \
             code (a migration is needed)",
            d.path, d.current, d.new
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A small pool-like contract: `owner`, packed `params`, a `markets` Mapping whose
    /// value has a nested struct and an enum leaf, and an `Option` enum layout. Type ids
    /// go through `id`, and the registry is listed in the order of its mapped ids, so a
    /// renumbering gives a registry that is really renumbered and reordered.
    fn fixture(id: &dyn Fn(u64) -> u64) -> Value {
        let types = vec![
            (
                0,
                json!({"def": {"composite": {"fields": [{"type": id(1), "typeName": "[u8; 32]"}]}},
                       "path": ["ink_primitives", "types", "AccountId"]}),
            ),
            (1, json!({"def": {"array": {"len": 32, "type": id(2)}}})),
            (2, json!({"def": {"primitive": "u8"}})),
            (3, json!({"def": {"primitive": "u64"}})),
            (4, json!({"def": {"primitive": "u128"}})),
            (
                5,
                json!({"def": {"composite": {}},
                       "params": [{"name": "K", "type": id(0)}, {"name": "V", "type": id(6)},
                                  {"name": "KeyType", "type": id(7)}],
                       "path": ["ink_storage", "lazy", "mapping", "Mapping"]}),
            ),
            (
                6,
                json!({"def": {"composite": {"fields": [
                          {"name": "config", "type": id(4), "typeName": "u128"},
                          {"name": "state", "type": id(8), "typeName": "MarketState"},
                          {"name": "status", "type": id(9), "typeName": "Status"}]}},
                       "path": ["pool", "market", "Market"]}),
            ),
            (
                7,
                json!({"def": {"composite": {}},
                       "path": ["ink_storage_traits", "impls", "ResolverKey"]}),
            ),
            (
                8,
                json!({"def": {"composite": {"fields": [
                          {"name": "cash", "type": id(4), "typeName": "u128"},
                          {"name": "last_accrual", "type": id(3), "typeName": "u64"}]}},
                       "path": ["pool", "market", "MarketState"]}),
            ),
            (
                9,
                json!({"def": {"variant": {"variants": [
                          {"name": "Active", "index": 0},
                          {"name": "Paused", "index": 1, "fields": [{"type": id(3), "typeName": "u64"}]}]}},
                       "path": ["pool", "market", "Status"]}),
            ),
            (
                10,
                json!({"def": {"composite": {"fields": [
                          {"name": "owner", "type": id(0)}, {"name": "params", "type": id(11)},
                          {"name": "markets", "type": id(5)}, {"name": "mode", "type": id(12)}]}},
                       "path": ["pool", "Pool"]}),
            ),
            (
                11,
                json!({"def": {"composite": {"fields": [
                          {"name": "grace", "type": id(3)}, {"name": "dust", "type": id(4)}]}},
                       "path": ["pool", "Params"]}),
            ),
            (
                12,
                json!({"def": {"variant": {"variants": [
                          {"name": "None", "index": 0},
                          {"name": "Some", "index": 1, "fields": [{"type": id(3)}]}]}},
                       "path": ["Option"], "params": [{"name": "T", "type": id(3)}]}),
            ),
        ];
        let mut types: Vec<Value> = types
            .into_iter()
            .map(|(n, ty)| json!({"id": id(n), "type": ty}))
            .collect();
        types.sort_by_key(|t| t["id"].as_u64());
        let leaf = |key: &str, ty: u64| json!({"leaf": {"key": key, "ty": id(ty)}});
        let field = |name: &str, layout: Value| json!({"name": name, "layout": layout});
        let k0 = "0x00000000";
        let km = "0x02004f50";
        json!({
            "version": "5",
            "contract": {"name": "fixture", "version": "0.1.0", "authors": []},
            "types": types,
            "storage": {"root": {"root_key": k0, "ty": id(10), "layout": {"struct": {"name": "Pool", "fields": [
                field("owner", leaf(k0, 0)),
                field("params", json!({"struct": {"name": "Params", "fields": [
                    field("grace", leaf(k0, 3)), field("dust", leaf(k0, 4))]}})),
                field("markets", json!({"root": {"root_key": km, "ty": id(5), "layout": {"struct": {"name": "Market", "fields": [
                    field("config", leaf(km, 4)),
                    field("state", json!({"struct": {"name": "MarketState", "fields": [
                        field("cash", leaf(km, 4)), field("last_accrual", leaf(km, 3))]}})),
                    field("status", leaf(km, 9))]}}}})),
                field("mode", json!({"enum": {"dispatchKey": k0, "name": "Option", "variants": {
                    "0": {"name": "None", "fields": []},
                    "1": {"name": "Some", "fields": [field("0", leaf(k0, 3))]}}}})),
            ]}}}}
        })
    }

    fn base() -> Value {
        fixture(&|n| n)
    }

    fn shape(metadata: &Value) -> StorageShape {
        StorageShape::from_json(metadata).unwrap()
    }

    /// The `fields` of the struct layout at `names` (field names from the top-level
    /// struct down), passing through `root` nodes.
    fn layout_fields<'a>(metadata: &'a mut Value, names: &[&str]) -> &'a mut Vec<Value> {
        let mut node = &mut metadata["storage"]["root"]["layout"];
        for name in names {
            let fields = node["struct"]["fields"].as_array_mut().unwrap();
            node = &mut fields.iter_mut().find(|f| f["name"] == *name).unwrap()["layout"];
            if node.get("root").is_some() {
                node = &mut node["root"]["layout"];
            }
        }
        node["struct"]["fields"].as_array_mut().unwrap()
    }

    /// The `def` of type `id` in the registry.
    fn type_def(metadata: &mut Value, id: u64) -> &mut Value {
        let types = metadata["types"].as_array_mut().unwrap();
        &mut types.iter_mut().find(|t| t["id"] == id).unwrap()["type"]["def"]
    }

    fn difference(current: &Value, new: &Value) -> Difference {
        let diff = first_difference(&shape(current), &shape(new));
        let diff = diff.expect("the change must be refused");
        assert_ne!(shape(current).version(), shape(new).version());
        diff
    }

    fn assert_compatible(current: &Value, new: &Value) {
        let (current, new) = (shape(current), shape(new));
        if let Some(diff) = first_difference(&current, &new) {
            panic!("refused: {diff}");
        }
        assert_eq!(current.version(), new.version());
        assert_eq!(current.canonical_text(), new.canonical_text());
    }

    #[test]
    fn identical_metadata_is_compatible() {
        assert_compatible(&base(), &base());
        assert!(shape(&base()).version().starts_with("0x"));
    }

    #[test]
    fn a_renamed_field_is_compatible() {
        let mut new = base();
        layout_fields(&mut new, &["markets", "state"])[0]["name"] = json!("available");
        type_def(&mut new, 8)["composite"]["fields"][0]["name"] = json!("available");
        layout_fields(&mut new, &["params"])[1]["name"] = json!("dust_value");
        type_def(&mut new, 9)["variant"]["variants"][1]["name"] = json!("Halted");
        let types = new["types"].as_array_mut().unwrap();
        types[8]["type"]["path"] = json!(["pool", "market", "MarketStateV2"]);
        assert_compatible(&base(), &new);
    }

    /// The base with a field `fee: u64` appended to the markets' `MarketState`.
    fn with_fee() -> Value {
        let mut new = base();
        layout_fields(&mut new, &["markets", "state"])
            .push(json!({"name": "fee", "layout": {"leaf": {"key": "0x02004f50", "ty": 3}}}));
        type_def(&mut new, 8)["composite"]["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "fee", "type": 3}));
        new
    }

    #[test]
    fn an_extra_field_in_a_mapping_value_is_refused() {
        let diff = difference(&base(), &with_fee());
        assert_eq!(diff.path, "root.markets.<value>.state.fee");
        assert_eq!(
            (diff.current.as_str(), diff.new.as_str()),
            ("no field 2", "u64")
        );
    }

    #[test]
    fn reordered_fields_of_different_types_are_refused() {
        let mut new = base();
        layout_fields(&mut new, &["markets", "state"]).swap(0, 1);
        type_def(&mut new, 8)["composite"]["fields"]
            .as_array_mut()
            .unwrap()
            .swap(0, 1);
        let diff = difference(&base(), &new);
        assert_eq!(diff.path, "root.markets.<value>.state.cash");
        assert_eq!((diff.current.as_str(), diff.new.as_str()), ("u128", "u64"));
    }

    #[test]
    fn a_new_enum_variant_is_refused() {
        // Appended, so every stored value still decodes: refused all the same (the old
        // code could not decode a value of the new variant, so no rollback).
        let mut new = base();
        type_def(&mut new, 9)["variant"]["variants"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "Frozen", "index": 2}));
        let diff = difference(&base(), &new);
        assert_eq!(diff.path, "root.markets.<value>.status.Frozen");
        assert_eq!(
            (diff.current.as_str(), diff.new.as_str()),
            ("no variant 2", "variant 2 {}")
        );
    }

    #[test]
    fn a_renumbered_variant_is_refused() {
        // `#[codec(index = 2)]` on `Paused`: as many variants, other indices.
        let mut new = base();
        type_def(&mut new, 9)["variant"]["variants"][1]["index"] = json!(2);
        let diff = difference(&base(), &new);
        assert_eq!(
            diff.to_string(),
            "root.markets.<value>.status.Paused: variant 1 {u64} vs no variant 1"
        );
    }

    #[test]
    fn a_renumbered_type_registry_with_the_same_shapes_is_compatible() {
        let renumbered = fixture(&|n| 1000 - 7 * n);
        assert_ne!(renumbered["types"], base()["types"]);
        assert_compatible(&base(), &renumbered);
    }

    #[test]
    fn the_canonical_text_is_the_layout_with_shapes_and_no_names() {
        assert_eq!(
            shape(&base()).canonical_text(),
            "root 0x00000000\n\
             \x20 struct\n\
             \x20   leaf 0x00000000 {[u8; 32]}\n\
             \x20   struct\n\
             \x20     leaf 0x00000000 u64\n\
             \x20     leaf 0x00000000 u128\n\
             \x20   root 0x02004f50 Mapping<{[u8; 32]}>\n\
             \x20     struct\n\
             \x20       leaf 0x02004f50 u128\n\
             \x20       struct\n\
             \x20         leaf 0x02004f50 u128\n\
             \x20         leaf 0x02004f50 u64\n\
             \x20       leaf 0x02004f50 enum{0: {}, 1: {u64}}\n\
             \x20   enum 0x00000000\n\
             \x20     variant 0\n\
             \x20     variant 1\n\
             \x20       leaf 0x00000000 u64\n"
        );
    }

    #[test]
    fn a_changed_storage_key_is_refused() {
        let mut new = base();
        new["storage"]["root"]["layout"]["struct"]["fields"][2]["layout"]["root"]["root_key"] =
            json!("0x09004f50");
        let diff = difference(&base(), &new);
        assert_eq!(diff.path, "root.markets");
        assert_eq!(
            (diff.current.as_str(), diff.new.as_str()),
            ("root key 0x02004f50", "root key 0x09004f50")
        );
    }

    #[test]
    fn a_changed_mapping_key_type_is_refused() {
        let mut new = base();
        let types = new["types"].as_array_mut().unwrap();
        let mapping = types.iter_mut().find(|t| t["id"] == 5).unwrap();
        mapping["type"]["params"][0]["type"] = json!(3);
        let diff = difference(&base(), &new);
        assert_eq!(diff.path, "root.markets.<key>");
        assert_eq!(
            (diff.current.as_str(), diff.new.as_str()),
            ("{[u8; 32]}", "u64")
        );
    }

    #[test]
    fn a_changed_type_inside_a_leaf_is_named_by_its_path() {
        let mut new = base();
        new["types"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": 13, "type": {"def": {"primitive": "u32"}}}));
        type_def(&mut new, 9)["variant"]["variants"][1]["fields"][0]["type"] = json!(13);
        let diff = difference(&base(), &new);
        assert_eq!(diff.path, "root.markets.<value>.status.Paused.0");
        assert_eq!((diff.current.as_str(), diff.new.as_str()), ("u64", "u32"));
    }

    #[test]
    fn a_new_variant_of_an_enum_layout_is_refused() {
        let mut new = base();
        new["storage"]["root"]["layout"]["struct"]["fields"][3]["layout"]["enum"]["variants"]
            ["2"] = json!({"name": "Always", "fields": []});
        let diff = difference(&base(), &new);
        assert_eq!(diff.path, "root.mode.Always");
        assert_eq!(
            (diff.current.as_str(), diff.new.as_str()),
            ("no variant 2", "variant 2 {}")
        );
    }

    #[test]
    fn a_field_moved_out_of_a_packed_struct_is_refused() {
        // `dust` dropped from the root struct: stored bytes would be left over.
        let mut new = base();
        layout_fields(&mut new, &["params"]).pop();
        let diff = difference(&base(), &new);
        assert_eq!(diff.path, "root.params.dust");
        assert_eq!(
            (diff.current.as_str(), diff.new.as_str()),
            ("u128", "no field 1")
        );
    }

    #[test]
    fn recursive_types_are_expanded_once() {
        let mut metadata = base();
        let types = metadata["types"].as_array_mut().unwrap();
        types.push(json!({"id": 13, "type": {"def": {"composite": {"fields": [
            {"name": "children", "type": 14}]}}}}));
        types.push(json!({"id": 14, "type": {"def": {"sequence": {"type": 13}}}}));
        layout_fields(&mut metadata, &[])
            .push(json!({"name": "tree", "layout": {"leaf": {"key": "0x00000000", "ty": 13}}}));
        let text = shape(&metadata).canonical_text();
        assert!(text.contains("    leaf 0x00000000 {[rec^2]}\n"), "{text}");
    }

    #[test]
    fn unreadable_metadata_is_an_error() {
        let mut metadata = base();
        metadata["types"]
            .as_array_mut()
            .unwrap()
            .retain(|t| t["id"] != 9);
        let err = format!("{:#}", StorageShape::from_json(&metadata).unwrap_err());
        assert!(
            err.contains("the type of root.markets.<value>.status: type 9 is not in the registry"),
            "{err}"
        );
        let mut metadata = base();
        metadata["version"] = json!("3");
        let err = format!("{:#}", StorageShape::from_json(&metadata).unwrap_err());
        assert!(err.contains("unsupported ink! metadata version"), "{err}");
    }

    #[test]
    fn a_snapshot_reads_back_and_finds_the_first_changed_line() {
        let current = shape(&base());
        let text = current.snapshot();
        assert!(text.starts_with(&format!("storage-version {}\n", current.version())));
        let cash = text.lines().nth(13).unwrap();
        let (line, path) = cash.split_once("  # ").unwrap();
        assert_eq!(line.trim_end(), "          leaf 0x02004f50 u128", "{cash}");
        assert_eq!(path, "root.markets.<value>.state.cash");
        let snapshot = Snapshot::parse(&text).unwrap();
        assert_eq!(snapshot.version, current.version());
        assert_eq!(snapshot.first_difference(&current), None);
        let diff = snapshot.first_difference(&shape(&with_fee())).unwrap();
        assert_eq!(diff.path, "root.markets.<value>.state.fee");
        assert_eq!(
            (diff.current.as_str(), diff.new.as_str()),
            ("absent", "leaf 0x02004f50 u64")
        );
        let mut removed = base();
        layout_fields(&mut removed, &["params"]).pop();
        let diff = snapshot.first_difference(&shape(&removed)).unwrap();
        assert_eq!(
            diff.to_string(),
            "root.params.dust: leaf 0x00000000 u128 vs absent"
        );
        let mut reordered = base();
        layout_fields(&mut reordered, &["markets", "state"]).swap(0, 1);
        let diff = snapshot.first_difference(&shape(&reordered)).unwrap();
        assert_eq!(
            diff.to_string(),
            "root.markets.<value>.state.cash: leaf 0x02004f50 u128 vs leaf 0x02004f50 u64"
        );
        // A hand-edited snapshot is refused, not trusted.
        let edited = text.replacen("leaf 0x02004f50 u128", "leaf 0x02004f50 u64", 1);
        let err = format!("{:#}", Snapshot::parse(&edited).err().unwrap());
        assert!(err.contains("edited by hand"), "{err}");
    }

    /// The contracts with a committed snapshot: bundle name and crate directory under
    /// `contracts/` (the snapshot is `contracts/<dir>/storage-layout.txt`).
    const SNAPSHOTS: [(&str, &str); 6] = [
        ("carrack_token", "token"),
        ("carrack_gov_token", "gov-token"),
        ("carrack_oracle", "oracle"),
        ("carrack_pool", "pool"),
        ("carrack_governor", "governor"),
        ("carrack_timelock", "timelock"),
    ];

    /// Every release bundle's storage shape is its committed snapshot. Run by
    /// `scripts/test.sh` (step `tools`) after step `build` built the bundles.
    #[test]
    fn the_release_bundles_match_the_committed_storage_layouts() {
        let dir = std::env::var_os("CARRACK_BUNDLES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(crate::bundles::default_dir);
        assert!(
            dir.is_dir(),
            "bundle directory {} does not exist: build the release bundles first \
             (scripts/test.sh --only build) or set CARRACK_BUNDLES; this test compares each \
             contract's storage layout with contracts/<crate>/storage-layout.txt",
            dir.display()
        );
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut failures = Vec::new();
        for (bundle, krate) in SNAPSHOTS {
            let path = match crate::bundles::bundle_path(&dir, bundle) {
                Ok(path) => path,
                Err(e) => {
                    failures.push(format!("{e:#}"));
                    continue;
                }
            };
            let shape = match StorageShape::load(&path) {
                Ok(shape) => shape,
                Err(e) => {
                    failures.push(format!("{e:#}"));
                    continue;
                }
            };
            let file = format!("contracts/{krate}/storage-layout.txt");
            let update = format!(
                "cargo run --locked -q --manifest-path tools/Cargo.toml -p carrack-deploy -- \
                 storage-layout {} > {file}",
                path.display()
            );
            let expected = shape.snapshot();
            let committed = match std::fs::read_to_string(root.join(&file)) {
                Ok(committed) if committed == expected => continue,
                Ok(committed) => committed,
                Err(e) => {
                    failures.push(format!(
                        "{file}: {e}; create it (from the repository root) with: {update}"
                    ));
                    continue;
                }
            };
            let snapshot = match Snapshot::parse(&committed) {
                Ok(snapshot) => snapshot,
                Err(e) => {
                    failures.push(format!(
                        "{file} is unreadable ({e:#}): regenerate it (from the repository \
                         root) with: {update}"
                    ));
                    continue;
                }
            };
            let change = snapshot
                .first_difference(&shape)
                .map(|d| format!("at {} (snapshot {}, bundle {})", d.path, d.current, d.new));
            failures.push(match change {
                Some(difference) => format!(
                    "the storage layout of {bundle} changed ({file} vs {}: first difference \
                     {difference}): an already deployed {bundle} cannot be upgraded to this \
                     code (its storage would not decode). If no such deployment exists, update \
                     the snapshot (from the repository root) with: {update}",
                    path.display()
                ),
                None => format!(
                    "{file} differs from {} only in names or comments (the storage version \
                     {} is unchanged): update it (from the repository root) with: {update}",
                    path.display(),
                    shape.version()
                ),
            });
        }
        assert!(
            failures.is_empty(),
            "{}\n(bundles from {}: if they are older than the contract sources, rebuild them \
             with scripts/test.sh --only build)",
            failures.join("\n\n"),
            dir.display()
        );
    }
}
