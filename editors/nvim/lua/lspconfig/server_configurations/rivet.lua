-- nvim-lspconfig before 2024 reads server definitions from
-- lspconfig/server_configurations/; the definition is in
-- lspconfig/configs/rivet.lua.
return require('lspconfig.configs.rivet')
