using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocFlow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CloudEngines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "engine",
                table: "jobs",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "engine",
                table: "jobs");
        }
    }
}
