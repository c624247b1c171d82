"""Reading and writing rows: JSON / JSONL / Parquet files and HF datasets saved to disk."""

from patarm.data._files import JsonlWriter, read_jsonl_ids, read_rows

__all__ = ["JsonlWriter", "read_jsonl_ids", "read_rows"]
