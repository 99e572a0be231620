using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocFlow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PageSelectionAndOperations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "page_selection",
                table: "jobs",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "page_selection",
                table: "jobs");
        }
    }
}
