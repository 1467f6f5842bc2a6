//! Ordering computations so that every value is computed after what it reads.

use std::collections::HashMap;

use crate::error::{EngineError, Result};
use crate::vm::Instr;

/// A computation writing one slot: its code ends with `Store(target)`.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub target: u32,
    pub code: Vec<Instr>,
}

impl Node {
    /// The slots the computation reads.
    pub(crate) fn reads(&self) -> impl Iterator<Item = u32> + '_ {
        loads(&self.code)
    }
}

/// The slots that `code` loads.
pub(crate) fn loads(code: &[Instr]) -> impl Iterator<Item = u32> + '_ {
    code.iter().filter_map(|i| match i {
        Instr::Load(s) => Some(*s),
        _ => None,
    })
}

/// Orders `nodes` so each comes after the nodes whose targets it reads.
///
/// `name` gives a slot's symbol for error messages.
pub(crate) fn topological(nodes: Vec<Node>, name: impl Fn(u32) -> String) -> Result<Vec<Node>> {
    let by_target: HashMap<u32, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.target, i))
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut mark = vec![0u8; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    for start in 0..nodes.len() {
        if mark[start] != 0 {
            continue;
        }
        // Iterative DFS: (node, next dependency index).
        let mut path: Vec<(usize, Vec<usize>)> = vec![(start, deps(&nodes[start], &by_target))];
        mark[start] = 1;
        while let Some((node, pending)) = path.last_mut() {
            if let Some(dep) = pending.pop() {
                match mark[dep] {
                    0 => {
                        mark[dep] = 1;
                        let d = deps(&nodes[dep], &by_target);
                        path.push((dep, d));
                    }
                    1 => {
                        let at = path.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                        let symbols = path[at..]
                            .iter()
                            .map(|(n, _)| name(nodes[*n].target))
                            .collect();
                        return Err(EngineError::AlgebraicLoop { symbols });
                    }
                    _ => {}
                }
            } else {
                let node = *node;
                mark[node] = 2;
                order.push(node);
                path.pop();
            }
        }
    }
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

fn deps(node: &Node, by_target: &HashMap<u32, usize>) -> Vec<usize> {
    let mut d: Vec<usize> = node
        .reads()
        .filter_map(|s| by_target.get(&s).copied())
        .collect();
    d.sort_unstable();
    d.dedup();
    d.reverse();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(target: u32, reads: &[u32]) -> Node {
        let mut code: Vec<Instr> = reads.iter().map(|s| Instr::Load(*s)).collect();
        code.push(Instr::Store(target));
        Node { target, code }
    }

    #[test]
    fn dependencies_come_first() -> Result<()> {
        let order = topological(vec![node(1, &[2]), node(2, &[3]), node(3, &[0])], |s| {
            s.to_string()
        })?;
        let targets: Vec<u32> = order.iter().map(|n| n.target).collect();
        assert_eq!(targets, [3, 2, 1]);
        Ok(())
    }

    #[test]
    fn cycles_are_named() {
        let err = topological(vec![node(1, &[2]), node(2, &[1])], |s| format!("s{s}")).unwrap_err();
        assert_eq!(err.to_string(), "algebraic loop among s1, s2");
    }
}
