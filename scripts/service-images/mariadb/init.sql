-- Run by mariadbd (--init-file) at every start, before it accepts connections: what
-- scripts/stack.sh's mariadb_ensure_user does for the stack's MariaDB.
CREATE DATABASE IF NOT EXISTS sdp;
CREATE USER IF NOT EXISTS 'sdp'@'127.0.0.1' IDENTIFIED BY 'sdp';
CREATE USER IF NOT EXISTS 'sdp'@'localhost' IDENTIFIED BY 'sdp';
GRANT ALL PRIVILEGES ON *.* TO 'sdp'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'sdp'@'localhost';
