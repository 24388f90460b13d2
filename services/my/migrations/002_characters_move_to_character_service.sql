-- Ownership lives in the character service now (one place records grants); its copy here goes.
DROP TABLE IF EXISTS user_characters;
