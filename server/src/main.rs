use server::{telemetry, Application, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    telemetry::init(config.log_format);
    tracing::info!(?config, "starting");
    Application::build(config).await?.run_until_stopped().await?;
    Ok(())
}
