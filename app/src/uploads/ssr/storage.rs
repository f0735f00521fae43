//! Where uploaded files live, through `object_store`: a folder under the data directory
//! by default, an S3-compatible bucket when several processes must see the same files.
//! Files are content-addressed: a file's name is the SHA-256 of its bytes, so storing
//! the same bytes twice stores them once, and a stored file never changes (it can be
//! cached for ever).

use std::{fmt, path::PathBuf, sync::Arc};

use object_store::{aws::AmazonS3Builder, local::LocalFileSystem, path::Path as ObjectPath, ObjectStore, PutPayload};
use secrecy::{ExposeSecret, SecretString};

use super::sniff::FileType;

/// Where the files go, from the configuration.
#[derive(Debug, Clone)]
pub enum StorageSettings {
    /// A folder (created when missing).
    Local(PathBuf),
    S3(S3Settings),
}

#[derive(Debug, Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// Unset for AWS itself; the address of any other S3-compatible service.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// Folder inside the bucket (may be empty).
    pub prefix: String,
}

/// A stored file's name: `<sha256 hex>.<extension>`. Parsing a name from a request
/// cannot yield a path outside the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileKey(String);

impl FileKey {
    pub fn for_bytes(bytes: &[u8], kind: FileType) -> Self {
        Self(format!("{}.{}", crate::server::sha256_hex(bytes), kind.extension()))
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let (hash, extension) = raw.split_once('.')?;
        let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        (hex && FileType::from_extension(extension).is_some()).then(|| Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the name says the file is.
    pub fn kind(&self) -> FileType {
        let (_, extension) = self.0.split_once('.').expect("a parsed key has an extension");
        FileType::from_extension(extension).expect("a parsed key has a known extension")
    }
}

impl fmt::Display for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("file storage failed: {0}")]
pub struct StorageError(#[from] object_store::Error);

/// The file store, cheap to clone.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    /// Where it is, for the startup log (no secrets).
    pub describe: String,
}

impl Storage {
    pub fn open(settings: &StorageSettings) -> Result<Self, String> {
        match settings {
            StorageSettings::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("UPLOADS_DIR {} cannot be created: {e}", dir.display()))?;
                let store = LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| format!("UPLOADS_DIR {} cannot be used: {e}", dir.display()))?;
                Ok(Self {
                    store: Arc::new(store),
                    prefix: String::new(),
                    describe: format!("folder {}", dir.display()),
                })
            }
            StorageSettings::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(s3.secret_access_key.expose_secret());
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                let store = builder.build().map_err(|e| format!("S3 storage cannot be used: {e}"))?;
                let prefix = s3.prefix.trim_matches('/').to_string();
                let at = s3.endpoint.as_deref().unwrap_or("AWS");
                Ok(Self { store: Arc::new(store), prefix, describe: format!("S3 bucket {} at {at}", s3.bucket) })
            }
        }
    }

    /// Sharded by the first two characters, so no folder holds millions of files.
    fn path(&self, key: &FileKey) -> ObjectPath {
        let shard = &key.as_str()[..2];
        if self.prefix.is_empty() {
            ObjectPath::from(format!("{shard}/{key}"))
        } else {
            ObjectPath::from(format!("{}/{shard}/{key}", self.prefix))
        }
    }

    /// Stores `bytes` (of `kind`) under their digest; storing them again is a no-op.
    pub async fn put(&self, bytes: Vec<u8>, kind: FileType) -> Result<FileKey, StorageError> {
        let key = FileKey::for_bytes(&bytes, kind);
        let path = self.path(&key);
        match self.store.head(&path).await {
            Ok(_) => return Ok(key),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        self.store.put(&path, PutPayload::from(bytes)).await?;
        Ok(key)
    }

    /// The file's bytes, `None` when there is no such file.
    pub async fn get(&self, key: &FileKey) -> Result<Option<bytes::Bytes>, StorageError> {
        match self.store.get(&self.path(key)).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes a file; removing one that is not there is not an error.
    pub async fn delete(&self, key: &FileKey) -> Result<(), StorageError> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_digests_with_a_known_extension() {
        let key = FileKey::for_bytes(b"hello", FileType::Text);
        assert_eq!(key.as_str(), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt");
        assert_eq!(FileKey::parse(key.as_str()), Some(key.clone()));
        assert_eq!(key.kind(), FileType::Text);
        for bad in [
            "../../etc/passwd",
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.html",
            "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824.txt",
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982.txt",
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt/..",
            "",
        ] {
            assert_eq!(FileKey::parse(bad), None, "{bad}");
        }
    }

    /// The same checks for every backend.
    async fn exercise(storage: Storage) {
        let bytes = format!("attachment {}", uuid::Uuid::new_v4()).into_bytes();
        let key = storage.put(bytes.clone(), FileType::Text).await.unwrap();
        assert_eq!(key, FileKey::for_bytes(&bytes, FileType::Text));
        assert_eq!(storage.get(&key).await.unwrap().as_deref(), Some(bytes.as_slice()));
        // The same bytes again: the same file.
        assert_eq!(storage.put(bytes.clone(), FileType::Text).await.unwrap(), key);
        storage.delete(&key).await.unwrap();
        assert_eq!(storage.get(&key).await.unwrap(), None);
        storage.delete(&key).await.unwrap();
    }

    #[tokio::test]
    async fn a_local_folder_stores_reads_and_deletes_files() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(&StorageSettings::Local(dir.path().join("uploads"))).unwrap();
        exercise(storage.clone()).await;
        // Sharded by the digest's first two characters.
        let key = storage.put(b"x".to_vec(), FileType::Text).await.unwrap();
        assert!(dir.path().join("uploads").join(&key.as_str()[..2]).join(key.as_str()).is_file());
    }

    /// Runs against the S3-compatible server the test command starts (`scripts/s3.sh`),
    /// which sets `TEST_S3_ENDPOINT`; `REQUIRE_S3=1` makes its absence a failure.
    #[tokio::test]
    async fn an_s3_bucket_stores_reads_and_deletes_files() {
        let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
            assert_ne!(
                std::env::var("REQUIRE_S3").as_deref(),
                Ok("1"),
                "REQUIRE_S3=1 but TEST_S3_ENDPOINT is not set: start one with scripts/s3.sh"
            );
            eprintln!("SKIPPED: no S3-compatible server (set TEST_S3_ENDPOINT, e.g. with scripts/s3.sh)");
            return;
        };
        let settings = StorageSettings::S3(S3Settings {
            bucket: std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "commonplace-test".into()),
            endpoint: Some(endpoint),
            region: "us-east-1".into(),
            access_key_id: "test".into(),
            secret_access_key: SecretString::from("test"),
            prefix: format!("run-{}", uuid::Uuid::new_v4()),
        });
        exercise(Storage::open(&settings).unwrap()).await;
    }
}
