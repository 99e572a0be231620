using DocFlow.Data;

namespace DocFlow.UnitTests.Data;

public sealed class DatabaseOptionsTests
{
    [Theory]
    [InlineData("Host=db;Database=docflow;Username=docflow;Password=secret", DatabaseProvider.Postgres)]
    [InlineData("Server=10.0.0.5;Port=5433;Database=docflow", DatabaseProvider.Postgres)]
    [InlineData("docflow.db", DatabaseProvider.Sqlite)]
    [InlineData("/var/lib/docflow/store.sqlite", DatabaseProvider.Sqlite)]
    [InlineData("Data Source=/data/docflow.db;Cache=Shared", DatabaseProvider.Sqlite)]
    [InlineData("Filename=docflow.db", DatabaseProvider.Sqlite)]
    public void Detect_NamesTheProvider(string connectionString, DatabaseProvider expected) =>
        Assert.Equal(expected, DatabaseOptions.Detect(connectionString));

    [Theory]
    [InlineData("docflow")]
    [InlineData("Database=docflow;Username=x")]
    public void Detect_WithNeither_SaysWhatToWrite(string connectionString)
    {
        var e = Assert.Throws<ArgumentException>(() => DatabaseOptions.Detect(connectionString));
        Assert.Contains("Host=", e.Message);
        Assert.Contains("docflow.db", e.Message);
    }

    [Fact]
    public void SqliteConnectionString_ForABarePath_AddsDataSource()
    {
        Assert.Equal("Data Source=docflow.db", DatabaseOptions.SqliteConnectionString("docflow.db"));
        Assert.Equal("Data Source=x.db;Pooling=False", DatabaseOptions.SqliteConnectionString("Data Source=x.db;Pooling=False"));
    }

    [Fact]
    public void Defaults_AreAnEmbeddedSqliteFileWithoutStartupMigration()
    {
        var options = new DatabaseOptions();
        Assert.Equal(DatabaseProvider.Sqlite, options.Provider);
        Assert.False(options.MigrateOnStartup);
        Assert.Equal(30, options.CommandTimeoutSeconds);
    }
}
