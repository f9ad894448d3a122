//! A bounded, deterministic fuzzer over the whole pipeline: load → lower → emit must never
//! panic, whatever the input. It mutates real specs from the corpus (structural mutations on
//! the JSON value and byte mutations on the text) and runs each mutant in-process.
//!
//! `SPECGEN_FUZZ_ITERATIONS` sets the number of mutants per seed spec (default 100);
//! `SPECGEN_FUZZ_SEED` the PRNG seed. A failure prints the seed spec and iteration, and the
//! mutant is written to `target/fuzz-failure.json` to reproduce it.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use serde_json::{Value, json};
use specgen::emit::ProjectInfo;
use specgen::spec::SourceFile;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn junk(rng: &mut Rng) -> Value {
    let choices = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1e308),
        json!(""),
        json!("#/components/schemas/Missing"),
        json!({"$ref": "#/components/schemas/Missing"}),
        json!({"$ref": "#"}),
        json!({"type": "array"}),
        json!({"type": "object", "properties": {"self": {"$ref": "#/components/schemas/Pet"}}}),
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "discriminator": {"propertyName": "kind"}}),
        json!({"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "string"}]}),
        json!({"type": "string", "enum": ["", "a b", "1", "self", "Self", "a", "A"]}),
        json!({"type": ["string", "null"], "const": 3}),
        json!([]),
        json!({}),
        json!({"name": "{x}", "in": "path", "required": true, "schema": {"type": "object"}}),
        json!("{weird}/{{x}}"),
    ];
    choices[rng.below(choices.len())].clone()
}

/// Every pointer to a node in `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                pointers(
                    child,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

fn mutate(base: &Value, all: &[String], rng: &mut Rng) -> Value {
    let mut doc = base.clone();
    for _ in 0..1 + rng.below(4) {
        let pointer = &all[rng.below(all.len())];
        match rng.below(4) {
            0 | 1 => {
                if let Some(slot) = doc.pointer_mut(pointer) {
                    *slot = junk(rng);
                }
            }
            2 => {
                // Delete the node from its parent.
                if let Some((parent, key)) = pointer.rsplit_once('/')
                    && let Some(Value::Object(object)) = doc.pointer_mut(parent)
                {
                    object.remove(&key.replace("~1", "/").replace("~0", "~"));
                }
            }
            _ => {
                // Copy one node over another (makes cycles and type confusion).
                let other = &all[rng.below(all.len())];
                if let Some(copy) = doc.pointer(other).cloned()
                    && let Some(slot) = doc.pointer_mut(pointer)
                {
                    *slot = copy;
                }
            }
        }
    }
    doc
}

fn info() -> ProjectInfo {
    ProjectInfo {
        package_name: "fuzz".to_owned(),
        crate_ident: "fuzz".to_owned(),
        spec_file: "openapi.json".to_owned(),
        generator_version: "fuzz".to_owned(),
        history: Default::default(),
        ci: Default::default(),
    }
}

/// Runs the whole pipeline; only a panic is a failure (errors are expected).
fn run_pipeline(name: &str, text: String) -> Result<(), String> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let source = SourceFile::from_text(Path::new(name), text);
        if let Ok(spec) = specgen::spec::load_source(source)
            && let Ok((api, _)) = specgen::ir::lower(&spec)
        {
            let _ = specgen::emit::emit_unformatted(&api, &info());
        }
    }));
    result.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

#[test]
fn the_pipeline_never_panics_on_mutated_specs() {
    let iterations: usize = std::env::var("SPECGEN_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let seed: u64 = std::env::var("SPECGEN_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED);
    let corpus = common::repo_root().join("../shared/specs-corpus");
    let mut seeds: Vec<std::path::PathBuf> = vec![
        common::repo_root().join("specs/petstore.yaml"),
        common::repo_root().join("specs/blog.yaml"),
        corpus.join("oapicodegen__recursive.yaml"),
        corpus.join("oapicodegen__parameters-roundtrip.yaml"),
        corpus.join("oapicodegen__openapi31-features.yaml"),
        corpus.join("redoc__demo-openapi-3-1.yaml"),
        corpus.join("redoc__demo-swagger.yaml"),
        corpus.join("goswagger__ms-cog-sci.json"),
    ];
    seeds.retain(|path| path.exists());
    assert!(seeds.len() >= 2, "no seed specs found");
    // Silence the default panic printer; failures are reported below with their inputs.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed);
    let mut runs = 0;
    for path in &seeds {
        let base = SourceFile::read(path)
            .expect("seed spec reads")
            .parse_value()
            .expect("seed spec parses");
        let mut all = Vec::new();
        pointers(&base, String::new(), &mut all);
        for iteration in 0..iterations {
            let text = if iteration % 8 == 7 {
                // Byte-level damage of the serialized text.
                let mut bytes = serde_json::to_vec(&base).expect("serialises").to_vec();
                for _ in 0..1 + rng.below(8) {
                    let at = rng.below(bytes.len());
                    let replacements = b"{}[]:,\"\\ 0a-";
                    bytes[at] = replacements[rng.below(replacements.len())];
                }
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                serde_json::to_string(&mutate(&base, &all, &mut rng)).expect("serialises")
            };
            runs += 1;
            if let Err(message) = run_pipeline("fuzz.json", text.clone()) {
                let _ = std::panic::take_hook();
                let out = common::repo_root().join("target/fuzz-failure.json");
                let _ = std::fs::write(&out, &text);
                panic!(
                    "panic on a mutant of {} (iteration {iteration}, seed {seed}): {message}\nmutant: {}",
                    path.display(),
                    out.display()
                );
            }
        }
    }
    let _ = std::panic::take_hook();
    assert_eq!(runs, seeds.len() * iterations);
}
