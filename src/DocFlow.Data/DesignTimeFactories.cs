using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DocFlow.Data;

// Used by `dotnet ef migrations add` only; no database is contacted to generate a migration.

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresDocFlowDbContext>
{
    public PostgresDocFlowDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresDocFlowDbContext>().UseNpgsql("Host=localhost;Database=docflow").Options);
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDocFlowDbContext>
{
    public SqliteDocFlowDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDocFlowDbContext>().UseSqlite("Data Source=docflow.db").Options);
}
