/// Splits one target at its saddles into pieces no larger than a given number of cells.
///
/// A watershed on the score, flooded from the top (Vincent & Soille 1991, by immersion turned
/// upside down): cells are taken from the highest score down; a cell none of whose 8
/// neighbours is taken yet starts a basin (a local maximum; a plateau is one), else it joins
/// the basin of its highest taken neighbour, and every other basin it touches meets that one
/// at a saddle no higher than this cell. Basins are then merged across their saddles, the
/// highest saddle first (so the pieces left apart are those separated by the deepest valleys),
/// whenever the merged piece holds at most `maxCells` cells. A piece larger than `maxCells` is
/// then a single basin, which has no saddle to cut at. Pieces are 8-connected, cover the
/// target and do not overlap.
public enum SaddleSplit {
    /// - Parameters:
    ///   - scores: the window's scores, row-major, `columns` wide.
    ///   - inside: whether each window cell belongs to the target.
    ///   - maxCells: the largest piece wanted.
    /// - Returns: a piece number for each window cell (0 outside the target), pieces numbered
    ///   1… in row-major order of their first cell, and how many there are.
    public static func split(scores: [Float], inside: [Bool], columns: Int, maxCells: Int) -> (pieces: [Int32], count: Int) {
        precondition(scores.count == inside.count && columns > 0 && scores.count % columns == 0, "one score per window cell")
        let rows = scores.count / columns
        var order = inside.indices.filter { inside[$0] }
        // Highest first; equal scores in row-major order, so the result is deterministic.
        order.sort { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var basin = [Int32](repeating: -1, count: scores.count)
        var size: [Int] = []
        var saddles: [Int64: Float] = [:]
        for i in order {
            let r = i / columns
            let c = i % columns
            var best: Int32 = -1
            var bestScore = -Float.infinity
            var bestIndex = Int.max
            var touched: [Int32] = []
            for dr in -1...1 {
                let rr = r + dr
                guard rr >= 0, rr < rows else { continue }
                for dc in -1...1 where dr != 0 || dc != 0 {
                    let cc = c + dc
                    guard cc >= 0, cc < columns else { continue }
                    let n = rr * columns + cc
                    let b = basin[n]
                    guard b >= 0 else { continue }
                    touched.append(b)
                    if scores[n] > bestScore || (scores[n] == bestScore && n < bestIndex) {
                        best = b
                        bestScore = scores[n]
                        bestIndex = n
                    }
                }
            }
            if best < 0 {
                best = Int32(size.count)
                size.append(0)
            }
            basin[i] = best
            size[Int(best)] += 1
            for t in touched where t != best {
                let key = Int64(min(t, best)) << 32 | Int64(max(t, best))
                if let s = saddles[key] { saddles[key] = max(s, scores[i]) } else { saddles[key] = scores[i] }
            }
        }
        // Merge across the highest saddles first, while pieces stay within maxCells.
        var parent = Array(Int32(0)..<Int32(size.count))
        func find(_ x: Int32) -> Int32 {
            var x = x
            while parent[Int(x)] != x {
                parent[Int(x)] = parent[Int(parent[Int(x)])]
                x = parent[Int(x)]
            }
            return x
        }
        let edges = saddles.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (key, _) in edges {
            let a = find(Int32(key >> 32))
            let b = find(Int32(key & 0xFFFF_FFFF))
            guard a != b, size[Int(a)] + size[Int(b)] <= maxCells else { continue }
            let (root, child) = a < b ? (a, b) : (b, a)
            parent[Int(child)] = root
            size[Int(root)] += size[Int(child)]
        }
        // Number the pieces by their first cell.
        var number = [Int32](repeating: 0, count: size.count)
        var count: Int32 = 0
        var pieces = [Int32](repeating: 0, count: scores.count)
        for i in scores.indices where basin[i] >= 0 {
            let root = Int(find(basin[i]))
            if number[root] == 0 {
                count += 1
                number[root] = count
            }
            pieces[i] = number[root]
        }
        return (pieces, Int(count))
    }
}
