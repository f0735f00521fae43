use server::{cli, telemetry, Application, Config};

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        return cli::run(&config, &args).await;
    }
    tracing::info!(?config, "starting");
    Application::build(config).await?.run_until_stopped().await?;
    Ok(())
}
