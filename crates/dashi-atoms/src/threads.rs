//! Threads: the genealogy DAG of atoms over a run, and its conservation audit
//! (docs/DESIGN.md §2.5, the v5 contract's "atom threads").
//!
//! ```text
//! nodes   (t, j)  = the j-th atom of A_t (canonical order), with its thread id, Γ, σ, ε, centroid
//! edges   (t, i) → (t+1, j)  parent → child, with a kind (the fan) and a cause (the rules on the path)
//! kind    Continue (1→1) · Split (parent has ≥ 2 children) · Merge (child has ≥ 2 parents)
//!         · SplitMerge (both)
//! death   (t, i) has no outgoing edge      birth   (t+1, j) has no incoming edge
//! ```
//!
//! ## Exact provenance ([`run_with_threads`])
//!
//! Every link of a run is **exact, not matched**:
//!
//! * **transport** keeps identity by construction: the step moves the vertices of atom k
//!   of the canonically sorted input and hands it to Π_MDL as input node k
//!   ([`crate::step_traced`]); core spreading changes ε only.
//! * **Π_MDL** records which nodes each rule consumed and created ([`crate::mdl::trace`]):
//!   prune and budget kill a node, a split gives one parent two children, a merge gives
//!   two parents one child (or none on exact annihilation). The DAG edge (t, i) → (t+1, j)
//!   exists iff output j descends from input i through these records.
//!
//! So there are no births after step 0 (Π_MDL creates no atom from nothing; the atoms of
//! step 0 are the roots), every later node has a parent edge, and a death's cause is the
//! rule that removed the input's last surviving piece: [`DeathCause::Prune`],
//! [`DeathCause::Budget`] or [`DeathCause::Annihilation`] (an opposite-sign merge with
//! σ₁Γ₁ + σ₂Γ₂ = 0 exactly).
//!
//! **Edge share.** `share` is the fraction of the parent's Γ carried into the child by
//! the rules: a split child takes Γ_c/Γ_p of its parent's share (Γ follows the vertices,
//! [`crate::mdl`]), a merge passes both parents' shares on unchanged (what a merge rule
//! loses, e.g. by annihilation, is the merge residual, not a smaller share), prune and
//! budget end a piece. So Σ_j share_ij ≤ 1, with 1 − Σ_j share_ij the part of Γ_i that
//! died in pieces. The **cause** of an edge is the set of rules on its path: transport
//! only ([`Cause::Transport`]), a split, a merge, or both (Π_MDL splits before it
//! merges, and refuses a merge that a split would undo, so no other order occurs).
//!
//! ## Matched provenance ([`Genealogy::from_states`], [`match_atoms`])
//!
//! For a sequence of states that were *not* produced by one run (e.g. atoms encoded
//! independently from each frame of a truth), links come from a deterministic geometric
//! matcher. With the circulation centroid of an atom (its vertices carry equal shares of
//! σΓ, so the centroid is the mean of the minimal-image-unwrapped vertices, wrapped back)
//!
//! ```text
//! c_a = wrap( (1/V_a) Σ_k u_k ),   u = unwrapped(γ_a)
//! d(a, b) = |c_a − c_b|_periodic / (ε_a + ε_b)   if σ_a = σ_b,   +∞ otherwise
//! ```
//!
//! (|·|_periodic is the minimal-image distance on the 2π torus). Pairs with
//! d ≤ `max_distance` are candidates, ordered by (d, canonical rank of a, canonical rank
//! of b) with ranks from [`Atom::canonical_cmp`]:
//!
//! 1. **continue** — greedy one-to-one assignment in that order (each atom at most once);
//! 2. **split** — an after-atom left unassigned is linked to its best candidate before-atom;
//! 3. **merge** — a before-atom left unassigned is linked to its best candidate after-atom;
//! 4. the rest: before-atoms **die** ([`DeathCause::Unmatched`]), after-atoms are **born**.
//!
//! (Steps 2 and 3 never link two unassigned atoms: such a pair would have been taken in
//! step 1.) The result depends only on the atoms' content, not their order (tested); the
//! greedy assignment is not a global optimum of Σd — a deliberate, documented choice.
//! Matched edges have cause [`Cause::Matched`] and share Γ_j / Σ_{j' child of i} Γ_j'.
//!
//! ## Thread ids
//!
//! Step 0's atoms get threads 0 … n−1 in canonical order. At each transition the edges
//! are ranked by the circulation they carry, w = share·Γ_parent (descending), then the
//! parent's thread id, then the child's index; taken greedily, a child inherits its
//! parent's thread if neither the thread nor the child is taken yet. Children left over
//! get fresh ids in index order. So a continuation keeps its thread, a split's largest
//! piece and a merge's largest contributor carry the thread on, and a thread has at most
//! one node per step (its nodes are consecutive steps: lifetimes are intervals).
//!
//! ## Conservation audit ([`StepAudit`])
//!
//! For Q ∈ {Γ_tot = ΣΓ, C = ΣσΓ} and each step,
//!
//! ```text
//! Q_after − Q_before = ΔQ_transport + ΔQ_viscosity + ΔQ_prune + ΔQ_split + ΔQ_merge + ΔQ_budget + residual
//! ΔQ_transport  = Σ Q(Π_MDL inputs) − Q_before     (measured; 0 bit for bit: transport does not touch Γ)
//! ΔQ_viscosity  = 0                                (core spreading ε² += 4νΔt changes ε only)
//! ΔQ_rule       = Σ over that rule's trace events of ΔQ(event)   (module docs of crate::mdl::trace)
//! ```
//!
//! computed from the trace's node values, independently of the [`crate::Ledger`] (and
//! equal to it, tested). The residual is rounding only: ≤ 1e-12 (tested; measured ~1e-15).
//! With prune / split / merge / budget disabled every ΔQ is 0 and Q is conserved exactly.

use crate::atom::{Atom, Sign, canonical_sort};
use crate::error::AtomError;
use crate::geometry;
use crate::ledger::{Balance, Events};
use crate::mdl::{MdlEvent, Trace};
use crate::state::AtomState;
use crate::step::{StepConfig, StepReport, step_traced_at};
use std::collections::BTreeMap;

/// The circulation centroid of an atom (module docs): the mean of its minimal-image
/// unwrapped vertices, wrapped into the box. Vertices carry equal shares of σΓ, so this
/// is the Γ-weighted centroid.
pub fn centroid(a: &Atom) -> [f64; 2] {
    let u = geometry::unwrapped(a.vertices());
    let n = u.len() as f64;
    let (sx, sy) = u.iter().fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
    geometry::wrap_point([sx / n, sy / n])
}

/// The matcher's distance (module docs): periodic centroid distance over ε_a + ε_b,
/// `+∞` for opposite signs.
pub fn distance(a: &Atom, b: &Atom) -> f64 {
    if a.sign() != b.sign() {
        return f64::INFINITY;
    }
    geometry::distance(centroid(a), centroid(b)) / (a.core() + b.core())
}

/// Geometric matcher settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatchConfig {
    /// Largest matched distance d (in units of ε_a + ε_b); > 0, may be `f64::INFINITY`.
    pub max_distance: f64,
}

impl Default for MatchConfig {
    /// `max_distance = 2`: centroids within two summed core radii.
    fn default() -> MatchConfig {
        MatchConfig { max_distance: 2.0 }
    }
}

/// Canonical rank of each atom (0 = first in [`Atom::canonical_cmp`] order; stable).
fn ranks(atoms: &[Atom]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..atoms.len()).collect();
    order.sort_by(|&x, &y| atoms[x].canonical_cmp(&atoms[y]).then(x.cmp(&y)));
    let mut rank = vec![0; atoms.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// The geometric matcher (module docs): links `(i, j)` from `before[i]` to `after[j]`,
/// sorted by (i, j). Indices refer to the slices as given; the links do not depend on
/// the slices' order beyond that relabelling.
pub fn match_atoms(before: &[Atom], after: &[Atom], config: &MatchConfig) -> Result<Vec<(usize, usize)>, AtomError> {
    let max = config.max_distance;
    if max.is_nan() || max <= 0.0 {
        return Err(AtomError::config("max_distance", max, "> 0"));
    }
    let (rb, ra) = (ranks(before), ranks(after));
    let mut pairs = Vec::new();
    for (i, a) in before.iter().enumerate() {
        for (j, b) in after.iter().enumerate() {
            let d = distance(a, b);
            if d <= max {
                pairs.push((d, rb[i], ra[j], i, j));
            }
        }
    }
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut used_b, mut used_a) = (vec![false; before.len()], vec![false; after.len()]);
    let mut links = Vec::new();
    for &(_, _, _, i, j) in &pairs {
        if !used_b[i] && !used_a[j] {
            used_b[i] = true;
            used_a[j] = true;
            links.push((i, j));
        }
    }
    let (assigned_b, assigned_a) = (used_b.clone(), used_a.clone());
    for &(_, _, _, i, j) in &pairs {
        if !assigned_a[j] && !used_a[j] {
            used_a[j] = true;
            links.push((i, j));
        } else if !assigned_b[i] && !used_b[i] {
            used_b[i] = true;
            links.push((i, j));
        }
    }
    links.sort_unstable();
    Ok(links)
}

/// How links were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// From the step's own records (transport identity + Π_MDL trace).
    Exact,
    /// From the geometric matcher.
    Matched,
}

/// Topology of an edge, from the fan-out of its parent and the fan-in of its child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Parent has one child, child has one parent.
    Continue,
    /// Parent has ≥ 2 children, child has one parent.
    Split,
    /// Child has ≥ 2 parents, parent has one child.
    Merge,
    /// Parent has ≥ 2 children and child has ≥ 2 parents.
    SplitMerge,
}

/// The rules on an edge's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    /// Transport (and core spreading) only: identity kept.
    Transport,
    /// At least one split, no merge.
    Split,
    /// At least one merge, no split.
    Merge,
    /// Splits, then merges.
    SplitMerge,
    /// A geometric match (no provenance known).
    Matched,
}

/// Why a node has no outgoing edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeathCause {
    /// The prune rule removed its last piece.
    Prune,
    /// The budget dropped its last piece.
    Budget,
    /// Its last piece was annihilated by an opposite-sign merge (σ₁Γ₁ + σ₂Γ₂ = 0).
    Annihilation,
    /// No match within `max_distance` (matched provenance).
    Unmatched,
}

/// One atom instance (t, index).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    /// Step t (0 = the initial state).
    pub step: usize,
    /// Index in A_t (canonical order).
    pub index: usize,
    /// Thread id.
    pub thread: usize,
    /// Γ.
    pub gamma: f64,
    /// σ.
    pub sign: Sign,
    /// Core radius ε.
    pub core: f64,
    /// Circulation centroid ([`centroid`]).
    pub centroid: [f64; 2],
}

/// A parent → child edge (step → step + 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// The parent's step t (the child is at t + 1).
    pub step: usize,
    /// Parent index in A_t.
    pub from: usize,
    /// Child index in A_{t+1}.
    pub to: usize,
    /// Topology.
    pub kind: EdgeKind,
    /// Rules on the path.
    pub cause: Cause,
    /// Fraction of the parent's Γ carried into the child (module docs).
    pub share: f64,
}

/// A node with no outgoing edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Death {
    /// The node's step t.
    pub step: usize,
    /// Index in A_t.
    pub index: usize,
    /// Cause.
    pub cause: DeathCause,
}

/// Conservation audit of one step (module docs): (ΣΓ, ΣσΓ) before and after, and the
/// change attributed to each stage.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepAudit {
    /// The step's index t (A_t → A_{t+1}).
    pub step: usize,
    /// (ΣΓ, ΣσΓ) of A_t.
    pub before: Balance,
    /// (ΣΓ, ΣσΓ) of A_{t+1}.
    pub after: Balance,
    /// Transport + core spreading, measured (0 exactly).
    pub transport: Balance,
    /// Viscosity: core spreading changes ε only, so 0.
    pub viscosity: Balance,
    /// Prune rule.
    pub prune: Balance,
    /// Split rule.
    pub split: Balance,
    /// Merge rule (annihilation and rounding).
    pub merge: Balance,
    /// Budget.
    pub budget: Balance,
}

impl StepAudit {
    /// after − before.
    pub fn change(&self) -> Balance {
        Balance { gamma: self.after.gamma - self.before.gamma, signed: self.after.signed - self.before.signed }
    }

    /// Sum of the attributed changes.
    pub fn attributed(&self) -> Balance {
        self.transport.plus(self.viscosity).plus(self.prune).plus(self.split).plus(self.merge).plus(self.budget)
    }

    /// change − attributed (rounding only).
    pub fn residual(&self) -> Balance {
        let (c, a) = (self.change(), self.attributed());
        Balance { gamma: c.gamma - a.gamma, signed: c.signed - a.signed }
    }
}

/// Event counts of one transition t → t+1 in the DAG (a row of the timeline).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepEvents {
    /// Transition index t.
    pub step: usize,
    /// |A_t|.
    pub atoms_before: usize,
    /// |A_{t+1}|.
    pub atoms_after: usize,
    /// Continue edges (1 → 1).
    pub continues: usize,
    /// Split events: parents with ≥ 2 children.
    pub splits: usize,
    /// Merge events: children with ≥ 2 parents.
    pub merges: usize,
    /// Deaths by prune.
    pub deaths_prune: usize,
    /// Deaths by budget.
    pub deaths_budget: usize,
    /// Deaths by annihilation.
    pub deaths_annihilation: usize,
    /// Deaths without a match (matched provenance).
    pub deaths_unmatched: usize,
    /// Children with no parent.
    pub births: usize,
}

impl StepEvents {
    /// Column names of [`StepEvents::values`] (and of [`Genealogy::timeline_csv`]).
    pub const COLUMNS: [&'static str; 11] = [
        "step",
        "atoms_before",
        "atoms_after",
        "continue",
        "split",
        "merge",
        "death_prune",
        "death_budget",
        "death_annihilation",
        "death_unmatched",
        "birth",
    ];

    /// The row as numbers, in [`StepEvents::COLUMNS`] order.
    pub fn values(&self) -> [usize; 11] {
        [
            self.step,
            self.atoms_before,
            self.atoms_after,
            self.continues,
            self.splits,
            self.merges,
            self.deaths_prune,
            self.deaths_budget,
            self.deaths_annihilation,
            self.deaths_unmatched,
            self.births,
        ]
    }

    /// All deaths.
    pub fn deaths(&self) -> usize {
        self.deaths_prune + self.deaths_budget + self.deaths_annihilation + self.deaths_unmatched
    }
}

/// A thread's life: the steps of its first and last node (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    /// Thread id.
    pub thread: usize,
    /// Step of its first node.
    pub first: usize,
    /// Step of its last node.
    pub last: usize,
}

impl Lifetime {
    /// Number of steps it spans, last − first (0: one node).
    pub fn span(&self) -> usize {
        self.last - self.first
    }
}

/// A link before classification: parent, child, share, cause, carried circulation.
struct RawLink {
    from: usize,
    to: usize,
    share: f64,
    cause: Cause,
    weight: f64,
}

/// The genealogy DAG of a run (module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Genealogy {
    provenance: Provenance,
    nodes: Vec<Vec<Node>>,
    edges: Vec<Vec<Edge>>,
    deaths: Vec<Vec<Death>>,
    audits: Vec<StepAudit>,
    operations: Vec<Events>,
    threads: usize,
}

impl Genealogy {
    fn start(atoms: &[Atom], provenance: Provenance) -> Genealogy {
        let nodes = atoms.iter().enumerate().map(|(i, a)| node(0, i, i, a)).collect();
        Genealogy {
            provenance,
            nodes: vec![nodes],
            edges: Vec::new(),
            deaths: Vec::new(),
            audits: Vec::new(),
            operations: Vec::new(),
            threads: atoms.len(),
        }
    }

    /// Appends step t+1 (`after`) with its links from step t and the deaths of step t.
    fn push(&mut self, after: &[Atom], mut links: Vec<RawLink>, mut deaths: Vec<(usize, DeathCause)>) {
        let t = self.nodes.len() - 1;
        let before = &self.nodes[t];
        links.sort_by(|x, y| x.from.cmp(&y.from).then(x.to.cmp(&y.to)));
        let (mut out_deg, mut in_deg) = (vec![0usize; before.len()], vec![0usize; after.len()]);
        for l in &links {
            out_deg[l.from] += 1;
            in_deg[l.to] += 1;
        }
        // Thread inheritance: greedy by carried circulation, parent thread, child index.
        let mut order: Vec<&RawLink> = links.iter().collect();
        order.sort_by(|x, y| {
            y.weight.total_cmp(&x.weight).then(before[x.from].thread.cmp(&before[y.from].thread)).then(x.to.cmp(&y.to))
        });
        let mut thread: Vec<Option<usize>> = vec![None; after.len()];
        let mut taken = vec![false; before.len()];
        for l in order {
            if thread[l.to].is_none() && !taken[l.from] {
                taken[l.from] = true;
                thread[l.to] = Some(before[l.from].thread);
            }
        }
        let mut nodes = Vec::with_capacity(after.len());
        for (j, a) in after.iter().enumerate() {
            let id = thread[j].unwrap_or_else(|| {
                self.threads += 1;
                self.threads - 1
            });
            nodes.push(node(t + 1, j, id, a));
        }
        let edges = links
            .iter()
            .map(|l| {
                let kind = match (out_deg[l.from] > 1, in_deg[l.to] > 1) {
                    (false, false) => EdgeKind::Continue,
                    (true, false) => EdgeKind::Split,
                    (false, true) => EdgeKind::Merge,
                    (true, true) => EdgeKind::SplitMerge,
                };
                Edge { step: t, from: l.from, to: l.to, kind, cause: l.cause, share: l.share }
            })
            .collect();
        deaths.sort_by_key(|d| d.0);
        self.deaths.push(deaths.into_iter().map(|(index, cause)| Death { step: t, index, cause }).collect());
        self.edges.push(edges);
        self.nodes.push(nodes);
    }

    /// A genealogy of independently obtained states (e.g. atoms encoded per frame) by the
    /// geometric matcher ([`match_atoms`]); no audit. Each state's atoms are taken in
    /// canonical order.
    pub fn from_states(states: &[AtomState], config: &MatchConfig) -> Result<Genealogy, AtomError> {
        let sorted: Vec<Vec<Atom>> = states
            .iter()
            .map(|s| {
                let mut a = s.atoms.clone();
                canonical_sort(&mut a);
                a
            })
            .collect();
        let Some(first) = sorted.first() else {
            return Ok(Genealogy::start(&[], Provenance::Matched));
        };
        let mut g = Genealogy::start(first, Provenance::Matched);
        for w in sorted.windows(2) {
            let (before, after) = (&w[0], &w[1]);
            let pairs = match_atoms(before, after, config)?;
            let mut outflow = vec![0.0; before.len()];
            let mut has_child = vec![false; before.len()];
            for &(i, j) in &pairs {
                outflow[i] += after[j].gamma();
                has_child[i] = true;
            }
            let links = pairs
                .iter()
                .map(|&(i, j)| {
                    let share = if outflow[i] > 0.0 { after[j].gamma() / outflow[i] } else { 0.0 };
                    RawLink { from: i, to: j, share, cause: Cause::Matched, weight: share * before[i].gamma() }
                })
                .collect();
            let deaths = (0..before.len()).filter(|&i| !has_child[i]).map(|i| (i, DeathCause::Unmatched)).collect();
            g.push(after, links, deaths);
        }
        Ok(g)
    }

    /// How the links were obtained.
    pub fn provenance(&self) -> Provenance {
        self.provenance
    }

    /// Number of transitions T (nodes exist for steps 0 … T).
    pub fn steps(&self) -> usize {
        self.edges.len()
    }

    /// The nodes of step t (empty beyond T).
    pub fn nodes(&self, step: usize) -> &[Node] {
        self.nodes.get(step).map_or(&[], Vec::as_slice)
    }

    /// The edges of transition t → t+1, sorted by (from, to).
    pub fn edges(&self, step: usize) -> &[Edge] {
        self.edges.get(step).map_or(&[], Vec::as_slice)
    }

    /// The deaths among the nodes of step t (t < T), sorted by index.
    pub fn deaths(&self, step: usize) -> &[Death] {
        self.deaths.get(step).map_or(&[], Vec::as_slice)
    }

    /// Conservation audits, one per transition (exact provenance only; empty otherwise).
    pub fn audits(&self) -> &[StepAudit] {
        &self.audits
    }

    /// Π_MDL operation counts per transition, from the trace (exact provenance only);
    /// equal to each step's [`crate::Ledger`] events.
    pub fn operations(&self) -> &[Events] {
        &self.operations
    }

    /// Number of thread ids handed out (ids are 0 … count−1).
    pub fn thread_count(&self) -> usize {
        self.threads
    }

    /// The thread of atom `index` at `step`.
    pub fn thread_of(&self, step: usize, index: usize) -> Option<usize> {
        self.nodes(step).get(index).map(|n| n.thread)
    }

    /// The nodes of a thread, in step order (one per step, consecutive steps).
    pub fn thread(&self, thread: usize) -> Vec<Node> {
        self.nodes.iter().flat_map(|s| s.iter().filter(|n| n.thread == thread).copied()).collect()
    }

    /// Edges into node (step, index) (none for step 0).
    pub fn parents(&self, step: usize, index: usize) -> Vec<Edge> {
        match step.checked_sub(1) {
            None => Vec::new(),
            Some(t) => self.edges(t).iter().filter(|e| e.to == index).copied().collect(),
        }
    }

    /// Edges out of node (step, index).
    pub fn children(&self, step: usize, index: usize) -> Vec<Edge> {
        self.edges(step).iter().filter(|e| e.from == index).copied().collect()
    }

    /// Every thread's lifetime, sorted by thread id.
    pub fn lifetimes(&self) -> Vec<Lifetime> {
        let mut span: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for n in self.nodes.iter().flatten() {
            let e = span.entry(n.thread).or_insert((n.step, n.step));
            e.0 = e.0.min(n.step);
            e.1 = e.1.max(n.step);
        }
        span.into_iter().map(|(thread, (first, last))| Lifetime { thread, first, last }).collect()
    }

    /// The thread event timeline: one row of event counts per transition.
    pub fn timeline(&self) -> Vec<StepEvents> {
        (0..self.steps())
            .map(|t| {
                let (before, after) = (self.nodes(t).len(), self.nodes(t + 1).len());
                let (mut out_deg, mut in_deg) = (vec![0usize; before], vec![0usize; after]);
                let mut row = StepEvents { step: t, atoms_before: before, atoms_after: after, ..StepEvents::default() };
                for e in self.edges(t) {
                    out_deg[e.from] += 1;
                    in_deg[e.to] += 1;
                    row.continues += usize::from(e.kind == EdgeKind::Continue);
                }
                row.splits = out_deg.iter().filter(|&&d| d > 1).count();
                row.merges = in_deg.iter().filter(|&&d| d > 1).count();
                row.births = in_deg.iter().filter(|&&d| d == 0).count();
                for d in self.deaths(t) {
                    match d.cause {
                        DeathCause::Prune => row.deaths_prune += 1,
                        DeathCause::Budget => row.deaths_budget += 1,
                        DeathCause::Annihilation => row.deaths_annihilation += 1,
                        DeathCause::Unmatched => row.deaths_unmatched += 1,
                    }
                }
                row
            })
            .collect()
    }

    /// The timeline as CSV: a header of [`StepEvents::COLUMNS`], one line per transition.
    pub fn timeline_csv(&self) -> String {
        let mut s = StepEvents::COLUMNS.join(",");
        s.push('\n');
        for row in self.timeline() {
            let v: Vec<String> = row.values().iter().map(usize::to_string).collect();
            s.push_str(&v.join(","));
            s.push('\n');
        }
        s
    }
}

fn node(step: usize, index: usize, thread: usize, a: &Atom) -> Node {
    Node { step, index, thread, gamma: a.gamma(), sign: a.sign(), core: a.core(), centroid: centroid(a) }
}

/// Per-input flow through the trace: share of that input's Γ, and the rules seen.
#[derive(Clone, Copy)]
struct Flow {
    share: f64,
    split: bool,
    merge: bool,
}

/// Exact links and deaths from a Π_MDL trace whose inputs are the step's atoms.
fn exact_links(trace: &Trace) -> (Vec<RawLink>, Vec<(usize, DeathCause)>) {
    let mut flows: Vec<BTreeMap<usize, Flow>> = (0..trace.values.len())
        .map(|n| {
            let mut m = BTreeMap::new();
            if n < trace.inputs {
                m.insert(n, Flow { share: 1.0, split: false, merge: false });
            }
            m
        })
        .collect();
    let mut last_removal: Vec<Option<DeathCause>> = vec![None; trace.inputs];
    let mut kill = |flows: &mut Vec<BTreeMap<usize, Flow>>, n: usize, cause: DeathCause| {
        for &input in std::mem::take(&mut flows[n]).keys() {
            last_removal[input] = Some(cause);
        }
    };
    for ev in &trace.events {
        match *ev {
            MdlEvent::Pruned(n) => kill(&mut flows, n, DeathCause::Prune),
            MdlEvent::BudgetDropped(n) => kill(&mut flows, n, DeathCause::Budget),
            MdlEvent::Split { parent, children } => {
                let from = std::mem::take(&mut flows[parent]);
                let gp = trace.values[parent].0;
                for c in children {
                    let f = if gp > 0.0 { trace.values[c].0 / gp } else { 0.0 };
                    flows[c] = from
                        .iter()
                        .map(|(&k, v)| (k, Flow { share: v.share * f, split: true, merge: v.merge }))
                        .collect();
                }
            }
            MdlEvent::Merged { parents, child } => match child {
                None => {
                    for p in parents {
                        kill(&mut flows, p, DeathCause::Annihilation);
                    }
                }
                Some(c) => {
                    let mut m: BTreeMap<usize, Flow> = BTreeMap::new();
                    for p in parents {
                        for (k, v) in std::mem::take(&mut flows[p]) {
                            let e = m.entry(k).or_insert(Flow { share: 0.0, split: false, merge: true });
                            e.share += v.share;
                            e.split |= v.split;
                        }
                    }
                    flows[c] = m;
                }
            },
        }
    }
    let mut links = Vec::new();
    let mut has_child = vec![false; trace.inputs];
    for (j, &n) in trace.outputs.iter().enumerate() {
        for (&i, f) in &flows[n] {
            has_child[i] = true;
            let cause = match (f.split, f.merge) {
                (false, false) => Cause::Transport,
                (true, false) => Cause::Split,
                (false, true) => Cause::Merge,
                (true, true) => Cause::SplitMerge,
            };
            links.push(RawLink { from: i, to: j, share: f.share, cause, weight: f.share * trace.values[i].0 });
        }
    }
    let deaths = (0..trace.inputs)
        .filter(|&i| !has_child[i])
        .map(|i| (i, last_removal[i].unwrap_or(DeathCause::Prune)))
        .collect();
    (links, deaths)
}

/// The audit of one step from its report and trace (module docs).
fn audit(step: usize, report: &StepReport, trace: &Trace) -> StepAudit {
    let bal = |(g, s): (f64, f64)| Balance { gamma: g, signed: s };
    let before = bal(report.before);
    let inputs = trace.values[..trace.inputs].iter().fold((0.0, 0.0), |(g, s), v| (g + v.0, s + v.1));
    let mut a = StepAudit {
        step,
        before,
        after: bal(report.after),
        transport: Balance { gamma: inputs.0 - before.gamma, signed: inputs.1 - before.signed },
        viscosity: Balance::default(),
        ..StepAudit::default()
    };
    for ev in &trace.events {
        let d = trace.change(ev);
        let slot = match ev {
            MdlEvent::Pruned(_) => &mut a.prune,
            MdlEvent::Split { .. } => &mut a.split,
            MdlEvent::Merged { .. } => &mut a.merge,
            MdlEvent::BudgetDropped(_) => &mut a.budget,
        };
        *slot = slot.plus(d);
    }
    a
}

/// [`crate::run`] with the genealogy: the same final state and reports (bit for bit),
/// plus the exact genealogy DAG with one [`StepAudit`] per step. The initial atoms are
/// taken in canonical order (step 0's node indices).
pub fn run_with_threads(
    state: &AtomState,
    config: &StepConfig,
    steps: usize,
) -> Result<(AtomState, Genealogy, Vec<StepReport>), AtomError> {
    let mut current = AtomState::new(state.atoms.clone(), state.background.clone());
    let mut genealogy = Genealogy::start(&current.atoms, Provenance::Exact);
    let mut reports = Vec::with_capacity(steps);
    for t in 0..steps {
        let (next, report, trace) = step_traced_at(&current, config, t)?;
        let (links, deaths) = exact_links(&trace);
        genealogy.push(&next.atoms, links, deaths);
        genealogy.audits.push(audit(t, &report, &trace));
        genealogy.operations.push(trace.event_counts());
        reports.push(report);
        current = next;
    }
    Ok((current, genealogy, reports))
}
