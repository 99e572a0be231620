using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocFlow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ResultTenant : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "tenant",
                table: "job_results",
                type: "TEXT",
                maxLength: 63,
                nullable: false,
                defaultValue: "default");

            // Results saved before the column existed take their job's tenant: a scoped read filters on it.
            migrationBuilder.Sql("UPDATE job_results SET tenant = (SELECT j.tenant FROM jobs j WHERE j.id = job_results.job_id) " +
                "WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.id = job_results.job_id AND j.tenant <> job_results.tenant);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "tenant",
                table: "job_results");
        }
    }
}
