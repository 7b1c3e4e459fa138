"""Files from the Hugging Face Hub, through ``huggingface_hub`` and its cache (offline with
``HF_HUB_OFFLINE=1`` once cached). Specs read ``hf:<repo_id>[:<filename>]``."""

from __future__ import annotations

from pathlib import Path


def parse_spec(spec: str, default_filename: str | None) -> tuple[str, str | None]:
    repo_id, _, filename = spec[len("hf:"):].partition(":")
    return repo_id, filename or default_filename


def hub_file(repo_id: str, filename: str, error: type[Exception], optional: bool = False) -> Path | None:
    """Download (or find in the cache) one file; ``optional`` files that do not exist give None.
    Every failure is ``error`` with a one-line message."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, LocalEntryNotFoundError

    try:
        return Path(hf_hub_download(repo_id, filename))
    except (EntryNotFoundError, LocalEntryNotFoundError) as err:
        if optional:
            return None
        raise error(f"cannot get {filename} from hf:{repo_id}: {str(err).splitlines()[0]}") from None
    except (HfHubHTTPError, OSError) as err:
        raise error(f"cannot get {filename} from hf:{repo_id}: {str(err).splitlines()[0]}") from None
