using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocFlow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Tenants : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_jobs_sha256_options_key",
                table: "jobs");

            migrationBuilder.AddColumn<long>(
                name: "bytes",
                table: "jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "tenant",
                table: "jobs",
                type: "TEXT",
                maxLength: 63,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "tenant",
                table: "batches",
                type: "TEXT",
                maxLength: 63,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "tenant",
                table: "audit_log",
                type: "TEXT",
                maxLength: 63,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "tenant",
                table: "api_keys",
                type: "TEXT",
                maxLength: 63,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.CreateIndex(
                name: "IX_jobs_tenant_created_at_id",
                table: "jobs",
                columns: new[] { "tenant", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_tenant_sha256_options_key",
                table: "jobs",
                columns: new[] { "tenant", "sha256", "options_key" },
                filter: "status = 'succeeded'");

            migrationBuilder.CreateIndex(
                name: "IX_jobs_tenant_status",
                table: "jobs",
                columns: new[] { "tenant", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_batches_tenant_created_at_id",
                table: "batches",
                columns: new[] { "tenant", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_tenant_sequence",
                table: "audit_log",
                columns: new[] { "tenant", "sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_jobs_tenant_created_at_id",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "IX_jobs_tenant_sha256_options_key",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "IX_jobs_tenant_status",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "IX_batches_tenant_created_at_id",
                table: "batches");

            migrationBuilder.DropIndex(
                name: "IX_audit_log_tenant_sequence",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "bytes",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "tenant",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "tenant",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "tenant",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "tenant",
                table: "api_keys");

            migrationBuilder.CreateIndex(
                name: "IX_jobs_sha256_options_key",
                table: "jobs",
                columns: new[] { "sha256", "options_key" },
                filter: "status = 'succeeded'");
        }
    }
}
