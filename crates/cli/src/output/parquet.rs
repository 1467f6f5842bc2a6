//! TSV tables as Parquet (Apache Arrow's columnar file format), for pandas,
//! polars, R's arrow and DuckDB.
//!
//! Each column gets the narrowest of Int64, Float64 and Utf8 that holds all
//! its values (`NaN` and `inf` are floats); empty fields are nulls. A table is
//! read twice, once to type the columns and once to write them, in row groups
//! of [`BATCH`] rows, so memory stays bounded for any number of rows.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Rows per row group.
pub const BATCH: usize = 65_536;

/// The Parquet bytes of a TSV table held in memory; `name` is for messages.
pub fn from_text(text: &str, name: &str) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    convert(|| Ok(text.as_bytes()), &mut out, name)?;
    Ok(out)
}

/// Writes the TSV file `tsv` as Parquet at `out` (a temporary file renamed into place).
pub fn from_file(tsv: &Path, out: &Path) -> anyhow::Result<()> {
    let open = || {
        File::open(tsv)
            .map(BufReader::new)
            .with_context(|| format!("cannot read {}", tsv.display()))
    };
    super::write_atomically_with(out, |file| convert(open, file, &tsv.display().to_string()))
}

/// Column types, widened as values are seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Int,
    Float,
    Text,
}

impl Kind {
    fn of(field: &str) -> Option<Kind> {
        if field.is_empty() {
            None
        } else if field.parse::<i64>().is_ok() {
            Some(Kind::Int)
        } else if field.parse::<f64>().is_ok() {
            Some(Kind::Float)
        } else {
            Some(Kind::Text)
        }
    }

    fn data_type(self) -> DataType {
        match self {
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Text => DataType::Utf8,
        }
    }
}

fn convert<R: BufRead, W: Write + Send>(
    open: impl Fn() -> anyhow::Result<R>,
    sink: W,
    name: &str,
) -> anyhow::Result<()> {
    let mut lines = open()?.lines();
    let header = lines
        .next()
        .transpose()
        .with_context(|| format!("{name}: cannot read"))?
        .with_context(|| format!("{name}: empty table (expected a header line)"))?;
    let names: Vec<&str> = header.split('\t').collect();
    let mut kinds: Vec<Option<Kind>> = vec![None; names.len()];
    for (i, line) in lines.enumerate() {
        let line = line.with_context(|| format!("{name}:{}: cannot read", i + 2))?;
        let fields = split(&line, names.len(), name, i + 2)?;
        for (k, f) in kinds.iter_mut().zip(fields) {
            *k = (*k).max(Kind::of(f));
        }
    }
    let kinds: Vec<Kind> = kinds.into_iter().map(|k| k.unwrap_or(Kind::Text)).collect();
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .zip(&kinds)
            .map(|(n, k)| Field::new(*n, k.data_type(), true))
            .collect::<Vec<_>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(BATCH))
        .build();
    let mut writer = ArrowWriter::try_new(sink, schema.clone(), Some(props))
        .with_context(|| format!("{name}: cannot start the Parquet file"))?;
    let mut rows: Vec<String> = Vec::with_capacity(BATCH.min(4096));
    for (i, line) in open()?.lines().enumerate().skip(1) {
        rows.push(line.with_context(|| format!("{name}:{}: cannot read", i + 1))?);
        if rows.len() == BATCH {
            writer.write(&batch(&schema, &kinds, &rows)?)?;
            rows.clear();
        }
    }
    if !rows.is_empty() {
        writer.write(&batch(&schema, &kinds, &rows)?)?;
    }
    writer
        .close()
        .with_context(|| format!("{name}: cannot finish the Parquet file"))?;
    Ok(())
}

/// The fields of line `line_no`, which must number `n`.
fn split<'a>(line: &'a str, n: usize, name: &str, line_no: usize) -> anyhow::Result<Vec<&'a str>> {
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() != n {
        bail!(
            "{name}:{line_no}: expected {n} tab-separated fields (as in the header), found {}",
            fields.len()
        );
    }
    Ok(fields)
}

fn batch(schema: &Arc<Schema>, kinds: &[Kind], rows: &[String]) -> anyhow::Result<RecordBatch> {
    let fields: Vec<Vec<&str>> = rows.iter().map(|r| r.split('\t').collect()).collect();
    let columns: Vec<ArrayRef> = kinds
        .iter()
        .enumerate()
        .map(|(c, kind)| {
            let cells = fields.iter().map(|f| Some(f[c]).filter(|s| !s.is_empty()));
            match kind {
                Kind::Int => Arc::new(
                    cells
                        .map(|s| s.and_then(|s| s.parse::<i64>().ok()))
                        .collect::<Int64Array>(),
                ) as ArrayRef,
                Kind::Float => Arc::new(
                    cells
                        .map(|s| s.and_then(|s| s.parse::<f64>().ok()))
                        .collect::<Float64Array>(),
                ),
                Kind::Text => Arc::new(cells.collect::<StringArray>()),
            }
        })
        .collect();
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

#[cfg(test)]
mod tests {
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::*;

    #[test]
    fn columns_are_typed_and_empty_fields_are_nulls() -> anyhow::Result<()> {
        let text = "id\tx\tname\tflag\n1\t0.5\ta\t\n2\tNaN\t\t1\n3\t7\tc d\t0\n";
        let dir = tempfile::tempdir()?;
        let (tsv, out) = (dir.path().join("t.tsv"), dir.path().join("t.parquet"));
        std::fs::write(&tsv, text)?;
        from_file(&tsv, &out)?;
        assert_eq!(std::fs::read(&out)?, from_text(text, "t.tsv")?);
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&out)?)?.build()?;
        let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>()?;
        let b = &batches[0];
        assert_eq!(b.num_rows(), 3);
        let types: Vec<&DataType> = b
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.data_type())
            .collect();
        assert_eq!(
            types,
            [
                &DataType::Int64,
                &DataType::Float64,
                &DataType::Utf8,
                &DataType::Int64
            ]
        );
        let x = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
        assert_eq!(x.value(0), 0.5);
        assert!(x.value(1).is_nan());
        assert_eq!(x.value(2), 7.0);
        let name = b.column(2).as_any().downcast_ref::<StringArray>().unwrap();
        assert!(name.is_null(1));
        assert_eq!(name.value(2), "c d");
        let flag = b.column(3).as_any().downcast_ref::<Int64Array>().unwrap();
        assert!(flag.is_null(0));
        assert_eq!(flag.value(1), 1);
        Ok(())
    }

    #[test]
    fn ragged_rows_name_the_line() {
        let err = from_text("a\tb\n1\t2\n3\n", "t.tsv").unwrap_err();
        assert!(err.to_string().contains("t.tsv:3: expected 2"), "{err}");
    }
}
