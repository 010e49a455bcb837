//! The graph of support, cooperation and hostility between groups and authorities, weighted by
//! graded findings; ego networks; degree centrality; JSON, DOT and GraphML.

use crate::findings::Finding;
use havenwatch_core::Predicate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// A node: an actor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub name: String,
    /// Number of edges.
    pub degree: usize,
    /// Sum of the weights of its edges.
    pub weighted_degree: f64,
}

/// An edge: a graded finding between two actors.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub relation: Predicate,
    /// Confidence / 100: how much the finding weighs.
    pub weight: f64,
    pub grade: String,
    pub independent_origins: usize,
    /// Support and cooperation are directed; hostility and cooperation are symmetric.
    pub directed: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Network {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// Predicates that relate two actors.
const RELATIONS: [Predicate; 6] = [
    Predicate::Supports,
    Predicate::CooperatesWith,
    Predicate::HostileTo,
    Predicate::ActsAgainst,
    Predicate::Shelters,
    Predicate::Attacks,
];

/// The network of the findings; around `center` (an entity id) to `depth` hops if given.
/// Findings that are only contradicted are left out.
pub fn network(findings: &[Finding], center: Option<&str>, depth: usize) -> Network {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut edges: Vec<Edge> = Vec::new();
    for f in findings {
        let (Some(object_id), Some(object)) = (&f.object_id, &f.object) else {
            continue;
        };
        if !RELATIONS.contains(&f.predicate) || f.supporting == 0 {
            continue;
        }
        if f.predicate == Predicate::Attacks && object_id.starts_with("place:") {
            continue;
        }
        names.insert(f.subject_id.clone(), f.subject.clone());
        names.insert(object_id.clone(), object.clone());
        edges.push(Edge {
            source: f.subject_id.clone(),
            target: object_id.clone(),
            relation: f.predicate,
            weight: f64::from(f.confidence) / 100.0,
            grade: f.grade.clone(),
            independent_origins: f.independent_origins,
            directed: !f.predicate.is_symmetric(),
        });
    }
    if let Some(center) = center {
        let mut keep: BTreeSet<String> = BTreeSet::from([center.to_string()]);
        for _ in 0..depth {
            let next: Vec<String> = edges
                .iter()
                .filter(|e| keep.contains(&e.source) || keep.contains(&e.target))
                .flat_map(|e| [e.source.clone(), e.target.clone()])
                .collect();
            keep.extend(next);
        }
        edges.retain(|e| keep.contains(&e.source) && keep.contains(&e.target));
        names.retain(|id, _| keep.contains(id));
    }
    let nodes = names
        .into_iter()
        .map(|(id, name)| {
            let mine: Vec<&Edge> = edges
                .iter()
                .filter(|e| e.source == id || e.target == id)
                .collect();
            Node {
                degree: mine.len(),
                weighted_degree: mine.iter().map(|e| e.weight).sum(),
                id,
                name,
            }
        })
        .collect();
    Network { nodes, edges }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Network {
    /// Graphviz DOT.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph havenwatch {\n  rankdir=LR;\n  node [shape=box];\n");
        for n in &self.nodes {
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}\"];",
                n.id.replace('"', "'"),
                n.name.replace('"', "'")
            );
        }
        for e in &self.edges {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{} {}\", penwidth={:.1}{}];",
                e.source.replace('"', "'"),
                e.target.replace('"', "'"),
                e.relation,
                e.grade,
                1.0 + 3.0 * e.weight,
                if e.directed { "" } else { ", dir=none" }
            );
        }
        out.push_str("}\n");
        out
    }

    /// GraphML, as Gephi and Cytoscape read it.
    pub fn to_graphml(&self) -> String {
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n  <key id=\"degree\" for=\"node\" attr.name=\"degree\" attr.type=\"int\"/>\n  <key id=\"relation\" for=\"edge\" attr.name=\"relation\" attr.type=\"string\"/>\n  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n  <key id=\"grade\" for=\"edge\" attr.name=\"grade\" attr.type=\"string\"/>\n  <graph id=\"havenwatch\" edgedefault=\"directed\">\n",
        );
        for n in &self.nodes {
            let _ = writeln!(
                out,
                "    <node id=\"{}\"><data key=\"name\">{}</data><data key=\"degree\">{}</data></node>",
                xml_escape(&n.id),
                xml_escape(&n.name),
                n.degree
            );
        }
        for (i, e) in self.edges.iter().enumerate() {
            let _ = writeln!(
                out,
                "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\" directed=\"{}\"><data key=\"relation\">{}</data><data key=\"weight\">{:.2}</data><data key=\"grade\">{}</data></edge>",
                xml_escape(&e.source),
                xml_escape(&e.target),
                e.directed,
                e.relation,
                e.weight,
                xml_escape(&e.grade)
            );
        }
        out.push_str("  </graph>\n</graphml>\n");
        out
    }
}
