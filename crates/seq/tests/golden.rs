//! Golden tests against outputs nobody here wrote (see `data/README.md`).

use std::collections::BTreeSet;
use std::path::Path;

use senmet_seq::site::{Builder, SiteType};
use senmet_seq::{family, fasta, mirna, utr};

type Res = Result<(), Box<dyn std::error::Error>>;

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn ts_name(t: SiteType) -> &'static str {
    match t {
        SiteType::Eight => "8mer-1a",
        SiteType::SevenA1 => "7mer-1a",
        other => other.as_str(),
    }
}

/// `targetscan_70.pl` on its own sample: gene, family, species, UTR start, end and type.
#[test]
fn ts70_sample_sites_equal_targetscan_output() -> Res {
    let table = family::Table::from_path(data("miR_Family_info_sample.txt"))?;
    let fams = table.families();
    let seeds: Vec<&str> = fams.iter().map(|f| f.seed.as_str()).collect();
    let scanner = Builder::new().offset_6mer(false).build(&seeds)?;
    let mut reader = utr::Reader::from_path(data("UTR_Sequences_sample.txt"))?;
    let mut utrs = Vec::new();
    while reader.read_chunk(&mut utrs, 1 << 20)? {}
    let mut ours = BTreeSet::new();
    for u in &utrs {
        let species = u.species.as_deref().unwrap_or_default();
        for s in scanner.sites(&u.sequence) {
            let fam = &fams[s.seed];
            if fam.species.iter().any(|t| t == species) {
                ours.insert(format!(
                    "{}\t{}\t{species}\t{}\t{}\t{}",
                    u.gene,
                    fam.name,
                    s.start,
                    s.end,
                    ts_name(s.site_type)
                ));
            }
        }
    }
    let reference = std::fs::read_to_string(data("targetscan_70_output.txt"))?;
    let theirs: BTreeSet<String> = reference
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            [f[0], f[1], f[2], f[5], f[6], f[8]].join("\t")
        })
        .collect();
    assert_eq!(theirs.len(), 213);
    let ours: Vec<_> = ours.into_iter().collect();
    let theirs: Vec<_> = theirs.into_iter().collect();
    assert_eq!(ours.join("\n"), theirs.join("\n"));
    Ok(())
}

/// PTEN and LATS2 sites of the study's miRNAs, as `targetscan_70.pl` and scanMiR report them.
#[test]
fn pten_lats2_study_sites() -> Res {
    let path = data("study_mirnas.fa");
    let mut r = fasta::Builder.build_from_path(&path)?;
    let mirs = mirna::read_all(&mut r, &path, Some("hsa"), None)?;
    let seeds: Vec<&[u8]> = mirs.iter().map(|m| m.seed()).collect();
    let scanner = Builder::new().offset_6mer(false).build(&seeds)?;
    let mut reader = utr::Reader::from_path(data("PTEN_LATS2_human_3utr_miRAW.fa"))?;
    let mut utrs = Vec::new();
    while reader.read_chunk(&mut utrs, 1 << 20)? {}
    let mut found = BTreeSet::new();
    for u in &utrs {
        for s in scanner.sites(&u.sequence) {
            let fam = mirs[s.seed].family();
            found.insert((
                u.gene.clone(),
                fam.to_owned(),
                s.site_type,
                s.start.get(),
                s.end.get(),
            ));
        }
    }
    let (mir25, mir30) = ("AUUGCAC", "GUAAACA");
    let expected = [
        ("PTEN", mir25, SiteType::Eight, 2859, 2866),
        ("PTEN", mir25, SiteType::Eight, 4003, 4010),
        ("PTEN", mir30, SiteType::SevenM8, 5880, 5886),
        ("PTEN", mir30, SiteType::SevenA1, 3957, 3963),
        ("PTEN", mir30, SiteType::Six, 2780, 2785),
        ("PTEN", mir30, SiteType::Six, 2905, 2910),
        ("LATS2", mir25, SiteType::Eight, 422, 429),
        ("LATS2", mir30, SiteType::SevenA1, 1607, 1613),
    ];
    let expected: BTreeSet<_> = expected
        .iter()
        .map(|&(g, f, t, s, e)| (g.to_owned(), f.to_owned(), t, s, e))
        .collect();
    // Every reference site is found; 6mers of miR-25/92 are extra, not in the list.
    for site in &expected {
        assert!(found.contains(site), "missing {site:?}");
    }
    let beyond_6mer: BTreeSet<_> = found
        .into_iter()
        .filter(|x| x.2 != SiteType::Six || x.1 == mir30)
        .collect();
    assert_eq!(beyond_6mer, expected);
    Ok(())
}

/// Per-term context++ contributions against `targetscan_70_context_scores.pl`'s
/// sample output (rounded there to 3 decimals).
#[test]
fn context_terms_match_targetscan() -> Res {
    use senmet_core::Position;
    use senmet_seq::{score, site::Site};
    use std::collections::HashMap;

    let mut reader = utr::Reader::from_path(data("UTR_Sequences_sample.txt"))?;
    let mut utrs = Vec::new();
    while reader.read_chunk(&mut utrs, 1 << 20)? {}
    let utrs: HashMap<(String, String), Vec<u8>> = utrs
        .into_iter()
        .map(|u| ((u.gene, u.species.unwrap_or_default()), u.sequence))
        .collect();
    let mirs: HashMap<String, String> =
        std::fs::read_to_string(data("miR_for_context_scores.sample.txt"))?
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() >= 4).then(|| (f[2].to_owned(), f[3].trim().to_owned()))
            })
            .collect();
    let terms = std::fs::read_to_string(data("targetscan_70_context_terms.tsv"))?;
    let (mut n, mut three_prime_ok) = (0, 0);
    for line in terms.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let num = |i: usize| f[i].parse::<f64>();
        let site_type = match f[3] {
            "8mer-1a" => SiteType::Eight,
            "7mer-m8" => SiteType::SevenM8,
            "7mer-1a" => SiteType::SevenA1,
            _ => SiteType::Six,
        };
        let (start, end): (usize, usize) = (f[4].parse()?, f[5].parse()?);
        let site = Site {
            start: Position::new(start).ok_or("0 start")?,
            end: Position::new(end).ok_or("0 end")?,
            site_type,
            seed: 0,
        };
        let seq = &utrs[&(f[0].to_owned(), f[1].to_owned())];
        let c = score::contributions(seq, &site, mirs[f[2]].as_bytes(), 0).ok_or("scored")?;
        let close = |ours: f64, theirs: f64| (ours - theirs).abs() < 0.00065;
        assert!(close(c.site_type, num(6)?), "{line}");
        assert!(
            close(c.local_au, num(8)?),
            "local AU {} in {line}",
            c.local_au
        );
        assert!(
            close(c.srna1, num(9)? + num(10)? + num(11)?),
            "sRNA1 {line}"
        );
        assert!(
            close(c.srna8, num(12)? + num(13)? + num(14)?),
            "sRNA8 {line}"
        );
        assert!(
            close(c.site8, num(15)? + num(16)? + num(17)?),
            "site8 {line}"
        );
        three_prime_ok += usize::from(close(c.three_prime, num(7)?));
        n += 1;
    }
    assert_eq!(n, 675);
    // Our 3' pairing follows Grimson et al. 2007, not TargetScan's code: measured 651/675.
    assert!(
        three_prime_ok >= 650,
        "3' pairing agrees on {three_prime_ok}/{n}"
    );
    Ok(())
}
